package dev.affinity.provider;

import dev.affinity.model.GatewayError;
import io.vertx.core.http.HttpClosedException;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeoutException;

/** Turns a failed outbound call into the error the client sees. Messages name the deployment, never its key. */
public final class UpstreamFailure {

  private UpstreamFailure() {
  }

  /**
   * Whether a failed call says something about the upstream: it could not be reached, stayed silent, or broke the
   * connection. A failure to build or send the request here (a URI the HTTP client refuses, a refusal of ours) does
   * not, and must not cool the deployment: a client could otherwise cool it with a few crafted requests.
   */
  public static boolean upstreamAtFault(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof Refusal) {
        return false;
      }
      if (cause instanceof TimeoutException || cause.getClass().getSimpleName().contains("Timeout")
          || cause instanceof IOException || cause instanceof HttpClosedException) {
        return true;
      }
    }
    return false;
  }

  public static GatewayError classify(Throwable failure, String deploymentId, long timeoutMillis) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof Refusal refusal) {
        return refusal.error();
      }
      if (cause instanceof Exceeded exceeded) {
        return exceeded.error();
      }
      if (cause instanceof TimeoutException || cause.getClass().getSimpleName().contains("Timeout")) {
        return GatewayError.upstreamTimeout(timedOut(cause, deploymentId, timeoutMillis));
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
   * Says which wait ran out: the call's {@code timeout} of silence from the upstream, or the connect timeout, spent
   * opening a connection or waiting for a free one in the pool (then the upstream never saw the request).
   */
  private static String timedOut(Throwable timeout, String deploymentId, long timeoutMillis) {
    String message = String.valueOf(timeout.getMessage());
    if (message.contains("getting a connection")) {
      return "deployment " + deploymentId + ": no connection to the upstream was free within "
          + ProviderVerticle.CONNECT_TIMEOUT_MILLIS / 1000.0 + " s (the node's connection pool is full); "
          + "the request was not sent";
    }
    if (timeout.getClass().getSimpleName().equals("ConnectTimeoutException")) {
      return "deployment " + deploymentId + ": could not connect to the upstream within "
          + ProviderVerticle.CONNECT_TIMEOUT_MILLIS / 1000.0 + " s; the request was not sent";
    }
    return "deployment " + deploymentId + " did not answer within " + timeoutMillis / 1000.0 + " s";
  }

  /**
   * The upstream went past a bound of ours: its answer grew beyond {@code server_settings.max_upstream_response_mb}
   * once decoded, or the call beyond {@code server_settings.upstream_total_timeout}. The call is cut off (its
   * connection reset) and the client gets this error.
   */
  public static final class Exceeded extends IOException {

    private final transient GatewayError error;

    Exceeded(GatewayError error) {
      super(error.message(), null);
      this.error = error;
    }

    static Exceeded size(String deploymentId, long maxBytes) {
      return new Exceeded(GatewayError.upstreamUnreachable("deployment " + deploymentId + " answered more than "
          + maxBytes + " bytes (server_settings.max_upstream_response_mb); the answer was dropped"));
    }

    static Exceeded time(String deploymentId, long maxMillis) {
      return new Exceeded(GatewayError.upstreamTimeout("deployment " + deploymentId + " did not finish within "
          + maxMillis / 1000.0 + " s (server_settings.upstream_total_timeout)"));
    }

    public GatewayError error() {
      return error;
    }
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
