package dev.affinity.model;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * A provider call that got no answer to relay (refused here, unreachable upstream, timed out): the error the client
 * is to get and the call's {@link CallOutcome}. A provider verticle fails the router's call with it, passed by
 * reference inside the node; the router books the outcome and passes the error on. Its failure code is the HTTP
 * status, so code that only asks a {@link ReplyException} for its code still reads it.
 */
public final class FailedCall extends ReplyException {

  private final transient GatewayError error;
  private final transient CallOutcome outcome;

  public FailedCall(GatewayError error, CallOutcome outcome) {
    // no stack trace: how a call ended, not a bug
    super(ReplyFailure.RECIPIENT_FAILURE, error.status(), error.message(), true);
    this.error = error;
    this.outcome = outcome;
  }

  public GatewayError error() {
    return error;
  }

  public CallOutcome outcome() {
    return outcome;
  }
}
