package dev.affinity.model;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * A {@link GatewayError} as a failure: what a verticle fails a request with, carried to the ingress of the same node
 * as this object (a failed future, never serialised), and rendered in the client API's shape only there.
 * Its failure code is the HTTP status, so code that only asks a {@link ReplyException} for its code still reads it.
 * It never crosses the cluster: the event-bus API's front end answers a member with its own JSON form.
 */
public final class GatewayErrorException extends ReplyException {

  private final GatewayError error;

  public GatewayErrorException(GatewayError error) {
    // no stack trace: a refusal is an answer, not a bug
    super(ReplyFailure.RECIPIENT_FAILURE, error.status(), error.message(), true);
    this.error = error;
  }

  public GatewayError error() {
    return error;
  }
}
