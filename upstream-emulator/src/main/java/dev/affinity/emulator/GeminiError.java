package dev.affinity.emulator;

import io.vertx.core.json.JsonObject;

/**
 * An error of the Gemini API, in Google's shape: {@code {"error":{"code":400,"message":...,"status":
 * "INVALID_ARGUMENT"}}}. An unknown API key is a 400 on Gemini, a missing one a 403.
 */
final class GeminiError extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int code;
  private final String status;

  GeminiError(int code, String status, String message) {
    super(message, null, false, false);
    this.code = code;
    this.status = status;
  }

  static GeminiError missingKey() {
    return new GeminiError(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers (callers without"
        + " established identity). Please use API Key or other form of API consumer identity to call this API.");
  }

  static GeminiError invalidKey() {
    return new GeminiError(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.");
  }

  static GeminiError invalidArgument(String message) {
    return new GeminiError(400, "INVALID_ARGUMENT", message);
  }

  static GeminiError notFound(String path) {
    return new GeminiError(404, "NOT_FOUND", "The requested URL " + path + " was not found on this server.");
  }

  static GeminiError quotaExceeded(String model) {
    return new GeminiError(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota, please check your plan and"
        + " billing details. Quota exceeded for metric: generate_content_requests, model: " + model);
  }

  /** The Google error for a status, for faults and failures that name only a status. */
  static GeminiError forStatus(int code) {
    return switch (code) {
      case 400 -> invalidArgument("Request contains an invalid argument.");
      case 403 -> new GeminiError(403, "PERMISSION_DENIED", "The caller does not have permission");
      case 404 -> new GeminiError(404, "NOT_FOUND", "Requested entity was not found.");
      case 429 -> new GeminiError(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).");
      case 503 -> new GeminiError(503, "UNAVAILABLE", "The model is overloaded. Please try again later.");
      default -> new GeminiError(code, code >= 500 ? "INTERNAL" : "INVALID_ARGUMENT",
          code >= 500 ? "An internal error has occurred." : "Request contains an invalid argument.");
    };
  }

  int code() {
    return code;
  }

  JsonObject toJson() {
    return new JsonObject().put("error", new JsonObject().put("code", code).put("message", getMessage())
        .put("status", status));
  }
}
