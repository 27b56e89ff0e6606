package dev.affinity.emulator;

import io.vertx.core.json.JsonObject;
import java.time.Duration;

/**
 * An error answered in Anthropic's shape: {@code {"type":"error","error":{"type":...,"message":...},"request_id":...}}.
 * Thrown by validation and answered by the route's failure handling; it carries no stack trace because it is an
 * answer, not a bug.
 */
final class ApiError extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final Duration retryAfter;

  ApiError(int status, String message) {
    this(status, message, null);
  }

  private ApiError(int status, String message, Duration retryAfter) {
    super(message, null, false, false);
    this.status = status;
    this.retryAfter = retryAfter;
  }

  /** The same error, telling the client when to retry. */
  ApiError retryAfter(Duration wait) {
    return new ApiError(status, getMessage(), wait);
  }

  /** Whole seconds to send as {@code retry-after} (rounded up), or null when there is nothing to say. */
  Long retryAfterSeconds() {
    if (retryAfter == null) {
      return null;
    }
    long seconds = retryAfter.getSeconds();
    return retryAfter.getNano() > 0 ? seconds + 1 : seconds;
  }

  static ApiError invalidRequest(String message) {
    return new ApiError(400, message);
  }

  int status() {
    return status;
  }

  String type() {
    return typeFor(status);
  }

  /** Anthropic's error type for an HTTP status. */
  static String typeFor(int status) {
    return switch (status) {
      case 400 -> "invalid_request_error";
      case 401 -> "authentication_error";
      case 402 -> "billing_error";
      case 403 -> "permission_error";
      case 404 -> "not_found_error";
      case 413 -> "request_too_large";
      case 429 -> "rate_limit_error";
      case 529 -> "overloaded_error";
      default -> status >= 500 ? "api_error" : "invalid_request_error";
    };
  }

  /** The message Anthropic uses when nothing more specific is known (fault injection). */
  static String defaultMessage(int status) {
    return switch (status) {
      case 400 -> "Invalid request";
      case 401 -> "invalid x-api-key";
      case 403 -> "Your API key does not have permission to use the specified resource.";
      case 404 -> "Not found";
      case 413 -> "Request exceeds the maximum allowed number of bytes.";
      case 429 -> "This request would exceed the rate limit for your organization. Please try again later.";
      case 529 -> "Overloaded";
      default -> status >= 500 ? "Internal server error" : "Request failed";
    };
  }

  JsonObject toJson(String requestId) {
    return new JsonObject()
        .put("type", "error")
        .put("error", new JsonObject().put("type", type()).put("message", getMessage()))
        .put("request_id", requestId);
  }
}
