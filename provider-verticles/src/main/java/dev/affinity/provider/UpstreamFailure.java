package dev.affinity.provider;

import dev.affinity.model.GatewayError;
import io.vertx.core.http.HttpClosedException;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeoutException;

/** Turns a failed outbound call into the error the client sees. Messages name the deployment, never its key. */
public final class UpstreamFailure {

  private UpstreamFailure() {
  }

  public static GatewayError classify(Throwable failure, String deploymentId, long timeoutMillis) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof Refusal refusal) {
        return refusal.error();
      }
      if (cause instanceof TimeoutException || cause.getClass().getSimpleName().contains("Timeout")) {
        return GatewayError.upstreamTimeout("deployment " + deploymentId + " did not answer within "
            + timeoutMillis / 1000.0 + " s");
      }
      if (cause instanceof ConnectException || cause instanceof UnknownHostException) {
        return GatewayError.upstreamUnreachable("deployment " + deploymentId + " is unreachable ("
            + (cause instanceof UnknownHostException ? "unknown host" : "connection refused") + ")");
      }
      if (cause instanceof HttpClosedException || cause instanceof ClosedChannelException) {
        return GatewayError.upstreamUnreachable("deployment " + deploymentId
            + " closed the connection before answering");
      }
    }
    return GatewayError.upstreamUnreachable("deployment " + deploymentId + " could not be reached ("
        + failure.getClass().getSimpleName() + ")");
  }

  /**
   * A call that was never sent because the provider could not prepare it (credentials that cannot be loaded, a body
   * it cannot translate), carrying the error the client gets. Its message is the error's, which names no secret.
   */
  public static final class Refusal extends RuntimeException {

    private final transient GatewayError error;

    public Refusal(GatewayError error) {
      super(error.message(), null, false, false);
      this.error = error;
    }

    public GatewayError error() {
      return error;
    }
  }
}
