package dev.affinity.model;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;

/**
 * An error the gateway answers with, in the provider-neutral form (HTTP status, Anthropic error type, message).
 * Crosses the event bus as a {@link ReplyException} whose failure code is the HTTP status, so a cluster member that
 * calls the router address gets the same error an HTTP client would.
 */
public record GatewayError(int status, String type, String message) {

  public static GatewayError invalidRequest(String message) {
    return new GatewayError(400, "invalid_request_error", message);
  }

  public static GatewayError authentication(String message) {
    return new GatewayError(401, "authentication_error", message);
  }

  public static GatewayError notFound(String message) {
    return new GatewayError(404, "not_found_error", message);
  }

  public static GatewayError tooLarge(String message) {
    return new GatewayError(413, "request_too_large", message);
  }

  public static GatewayError upstreamUnreachable(String message) {
    return new GatewayError(502, "api_error", message);
  }

  public static GatewayError upstreamTimeout(String message) {
    return new GatewayError(504, "timeout_error", message);
  }

  public static GatewayError internal(String message) {
    return new GatewayError(500, "api_error", message);
  }

  public static GatewayError overloaded(String message) {
    return new GatewayError(529, "overloaded_error", message);
  }

  /** Anthropic's error body: {@code {"type":"error","error":{"type":...,"message":...}}}. */
  public JsonObject toAnthropicJson() {
    return new JsonObject()
        .put("type", "error")
        .put("error", new JsonObject().put("type", type).put("message", message));
  }

  public ReplyException toReplyException() {
    return new ReplyException(ReplyFailure.RECIPIENT_FAILURE, status,
        new JsonObject().put("type", type).put("message", message).encode());
  }

  /** Recovers the error a verticle failed a message with; anything unexpected becomes a 500 without details. */
  public static GatewayError from(Throwable failure) {
    if (failure instanceof ReplyException reply) {
      if (reply.failureType() == ReplyFailure.TIMEOUT) {
        return upstreamTimeout("the gateway timed out waiting for the upstream answer");
      }
      if (reply.failureType() == ReplyFailure.NO_HANDLERS) {
        return internal("no handler for this request on this node");
      }
      if (reply.failureCode() >= 400 && reply.failureCode() < 600 && reply.getMessage() != null
          && reply.getMessage().startsWith("{")) {
        try {
          JsonObject json = new JsonObject(reply.getMessage());
          return new GatewayError(reply.failureCode(), json.getString("type", "api_error"),
              json.getString("message", ""));
        } catch (RuntimeException notJson) {
          // fall through: not one of ours
        }
      }
    }
    return internal("internal gateway error");
  }
}
