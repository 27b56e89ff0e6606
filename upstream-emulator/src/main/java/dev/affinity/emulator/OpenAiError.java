package dev.affinity.emulator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;

/**
 * An error answered in OpenAI's shape: {@code {"error":{"message":...,"type":...,"param":...,"code":...}}}. Thrown by
 * validation on the OpenAI routes and answered by their failure handling; like {@link ApiError} it is an answer, not
 * a bug, so it carries no stack trace.
 *
 * <p>{@code param} names the request field at fault and {@code code} is OpenAI's machine-readable code
 * ({@code invalid_api_key}, {@code rate_limit_exceeded}...); either may be null, as in OpenAI's own answers.
 */
final class OpenAiError extends RuntimeException {

  private static final long serialVersionUID = 1L;

  static final String INVALID_REQUEST = "invalid_request_error";

  private final int status;
  private final String type;
  private final String param;
  private final String code;
  private final Duration retryAfter;

  OpenAiError(int status, String message, String type, String param, String code) {
    this(status, message, type, param, code, null);
  }

  private OpenAiError(int status, String message, String type, String param, String code, Duration retryAfter) {
    super(message, null, false, false);
    this.status = status;
    this.type = type;
    this.param = param;
    this.code = code;
    this.retryAfter = retryAfter;
  }

  /** A 400 {@code invalid_request_error}. */
  static OpenAiError invalidRequest(String message, String param, String code) {
    return new OpenAiError(400, message, INVALID_REQUEST, param, code);
  }

  static OpenAiError missingParameter(String param) {
    return invalidRequest("Missing required parameter: '" + param + "'.", param, "missing_required_parameter");
  }

  static OpenAiError invalidType(String param, String expected, Object actual) {
    return invalidRequest("Invalid type for '" + param + "': expected " + expected + ", but got "
        + jsonType(actual) + " instead.", param, "invalid_type");
  }

  /**
   * The error a status has when nothing more specific is known (injected faults, failures of the HTTP layer), with
   * OpenAI's type and code for that status.
   */
  static OpenAiError forStatus(int status) {
    return switch (status) {
      case 400 -> invalidRequest("Invalid request.", null, null);
      case 401 -> new OpenAiError(401, "Incorrect API key provided.", INVALID_REQUEST, null, "invalid_api_key");
      case 403 -> new OpenAiError(403, "You are not allowed to access this resource.", "permission_error", null,
          null);
      case 404 -> new OpenAiError(404, "Not found.", INVALID_REQUEST, null, null);
      case 413 -> new OpenAiError(413, "Request too large: the body exceeds the maximum allowed size.",
          INVALID_REQUEST, null, null);
      case 429 -> new OpenAiError(429, "Rate limit reached for requests. Please try again later.", "requests", null,
          "rate_limit_exceeded");
      case 503 -> new OpenAiError(503, "The server is overloaded or not ready yet.", "server_error", null, null);
      default -> status >= 500
          ? new OpenAiError(status, "The server had an error while processing your request. Sorry about that!",
              "server_error", null, null)
          : invalidRequest("Request failed.", null, null);
    };
  }

  /** The same error, telling the client when to retry. */
  OpenAiError retryAfter(Duration wait) {
    return new OpenAiError(status, getMessage(), type, param, code, wait);
  }

  /** Whole seconds to send as {@code retry-after} (rounded up), or null when there is nothing to say. */
  Long retryAfterSeconds() {
    if (retryAfter == null) {
      return null;
    }
    long seconds = retryAfter.getSeconds();
    return retryAfter.getNano() > 0 ? seconds + 1 : seconds;
  }

  int status() {
    return status;
  }

  String type() {
    return type;
  }

  String param() {
    return param;
  }

  String code() {
    return code;
  }

  JsonObject toJson() {
    return new JsonObject().put("error", new JsonObject()
        .put("message", getMessage())
        .put("type", type)
        .put("param", param)
        .put("code", code));
  }

  /** How OpenAI names a JSON value's type in its {@code invalid_type} messages. */
  static String jsonType(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof String) {
      return "a string";
    }
    if (value instanceof Boolean) {
      return "a boolean";
    }
    if (value instanceof Integer || value instanceof Long) {
      return "an integer";
    }
    if (value instanceof Number) {
      return "a decimal";
    }
    if (value instanceof JsonArray) {
      return "an array";
    }
    return "an object";
  }
}
