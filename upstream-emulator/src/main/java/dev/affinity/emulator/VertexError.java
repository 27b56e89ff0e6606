package dev.affinity.emulator;

import io.vertx.core.json.JsonObject;

/**
 * An error Google's front end answers for Vertex AI itself, before the model sees the request (authentication,
 * permissions, quota, an unknown route): {@code {"error":{"code":401,"message":...,"status":"UNAUTHENTICATED"}}}.
 * What the model rejects comes back in Anthropic's shape instead ({@link ApiError}), as on the real service.
 */
final class VertexError extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int code;
  private final String status;

  VertexError(int code, String status, String message) {
    super(message, null, false, false);
    this.code = code;
    this.status = status;
  }

  static VertexError missingCredentials() {
    return new VertexError(401, "UNAUTHENTICATED", "Request is missing required authentication credential."
        + " Expected OAuth 2 access token, login cookie or other valid authentication credential.");
  }

  static VertexError invalidCredentials() {
    return new VertexError(401, "UNAUTHENTICATED", "Request had invalid authentication credentials."
        + " Expected OAuth 2 access token, login cookie or other valid authentication credential.");
  }

  static VertexError permissionDenied(String resource) {
    return new VertexError(403, "PERMISSION_DENIED", "Permission 'aiplatform.endpoints.predict' denied on resource '"
        + resource + "' (or it may not exist).");
  }

  static VertexError quotaExceeded(String model) {
    return new VertexError(429, "RESOURCE_EXHAUSTED", "Quota exceeded for"
        + " aiplatform.googleapis.com/online_prediction_requests_per_base_model with base model: anthropic-" + model
        + ". Please submit a quota increase request.");
  }

  static VertexError notFound(String path) {
    return new VertexError(404, "NOT_FOUND", "The requested URL " + path + " was not found on this server.");
  }

  /** The Google error for a status, for faults that name only a status. */
  static VertexError forStatus(int code) {
    return switch (code) {
      case 401 -> invalidCredentials();
      case 403 -> new VertexError(403, "PERMISSION_DENIED", "Permission denied.");
      case 404 -> new VertexError(404, "NOT_FOUND", "Publisher model not found.");
      case 429 -> new VertexError(429, "RESOURCE_EXHAUSTED", "Quota exceeded. Please try again later.");
      case 503 -> new VertexError(503, "UNAVAILABLE", "The service is currently unavailable.");
      default -> new VertexError(code, code >= 500 ? "INTERNAL" : "INVALID_ARGUMENT", ApiError.defaultMessage(code));
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
