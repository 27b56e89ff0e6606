package dev.affinity.provider.vertex;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.model.GatewayError;
import dev.affinity.model.config.Deployment;

import java.io.IOException;
import java.util.Locale;

/**
 * Vertex AI's errors in Anthropic's terms. Two shapes come back: what Claude itself rejects is already Anthropic's
 * ({@code {"type":"error","error":{"type":...}}}) and is kept; what Google's front end refuses (credentials,
 * permissions, quota, unknown model) is Google's, {@code {"error":{"code":429,"message":...,"status":
 * "RESOURCE_EXHAUSTED"}}}, and is mapped by its status. Messages name the deployment and its project, never a token
 * or a key.
 */
public final class VertexError {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_MESSAGE = 500;

  private VertexError() {
  }

  /** The error for a complete (non-streamed) Vertex AI answer with status {@code status}. */
  public static GatewayError of(int status, byte[] body, Deployment deployment) {
    JsonNode json = null;
    try {
      json = JSON.readTree(body);
    } catch (IOException notJson) {
      // an HTML error page from a proxy or Google's front end: the status still says enough
    }
    JsonNode error = json == null ? null : json.get("error");
    if (error != null && error.isObject() && error.path("type").isTextual()) {
      return new GatewayError(status, error.path("type").asText(), error.path("message").asText(""));
    }
    String googleStatus = error != null && error.isObject() ? error.path("status").asText(null) : null;
    String message = error != null && error.isObject() ? error.path("message").asText(null) : null;
    return of(status, googleStatus, message, deployment);
  }

  /** The error for Google status {@code googleStatus} (null when unknown) and HTTP {@code status}. */
  static GatewayError of(int status, String googleStatus, String message, Deployment deployment) {
    String project = deployment.settings(VertexSettings.class).project();
    String key = googleStatus == null ? "" : googleStatus.toUpperCase(Locale.ROOT);
    String text = "Vertex AI " + (googleStatus == null ? "error " + status : googleStatus) + " for project " + project
        + (message == null || message.isBlank() ? "" : ": " + shortened(message));
    if (key.equals("UNAUTHENTICATED") || (key.isEmpty() && status == 401)) {
      return new GatewayError(401, "authentication_error", "deployment " + deployment.id() + ": Vertex AI did not"
          + " accept the access token of " + deployment.settings(VertexSettings.class).credentialsSource() + " for project " + project);
    }
    if (key.equals("PERMISSION_DENIED") || (key.isEmpty() && status == 403)) {
      return new GatewayError(403, "permission_error", "deployment " + deployment.id() + ": " + text);
    }
    return switch (key) {
      case "RESOURCE_EXHAUSTED" -> new GatewayError(429, "rate_limit_error", text);
      case "INVALID_ARGUMENT", "FAILED_PRECONDITION", "OUT_OF_RANGE" ->
          new GatewayError(400, "invalid_request_error", text);
      case "NOT_FOUND" -> new GatewayError(404, "not_found_error", text);
      case "UNAVAILABLE" -> new GatewayError(529, "overloaded_error", text);
      case "DEADLINE_EXCEEDED" -> new GatewayError(504, "timeout_error", text);
      case "INTERNAL", "UNKNOWN", "DATA_LOSS" -> new GatewayError(status >= 500 ? status : 500, "api_error", text);
      default -> byStatus(status, text);
    };
  }

  private static GatewayError byStatus(int status, String text) {
    return switch (status) {
      case 400 -> new GatewayError(400, "invalid_request_error", text);
      case 404 -> new GatewayError(404, "not_found_error", text);
      case 413 -> new GatewayError(413, "request_too_large", text);
      case 429 -> new GatewayError(429, "rate_limit_error", text);
      case 503, 529 -> new GatewayError(529, "overloaded_error", text);
      case 504 -> new GatewayError(504, "timeout_error", text);
      default -> status >= 400 && status < 500 ? new GatewayError(status, "invalid_request_error", text)
          : new GatewayError(status >= 500 && status < 600 ? status : 502, "api_error", text);
    };
  }

  private static String shortened(String message) {
    return message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) + "..." : message;
  }
}
