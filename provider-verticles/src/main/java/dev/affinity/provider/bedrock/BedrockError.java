package dev.affinity.provider.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.model.GatewayError;
import dev.affinity.model.config.Deployment;

import java.io.IOException;
import java.util.Locale;
import java.util.Set;

/**
 * Bedrock's errors in Anthropic's terms, so that clients see the statuses and error types they already handle. An
 * error names its type in the {@code x-amzn-ErrorType} header (or {@code __type} in the body, or, inside a stream, the
 * {@code :exception-type} of an exception frame) and carries {@code {"message": ...}}.
 *
 * <p>When AWS refuses the deployment's credentials the message names the deployment and where its credentials come
 * from (a profile, a key fingerprint), never a key, and drops AWS's own text: a signature mismatch message can quote
 * the canonical request.
 */
public final class BedrockError {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** AWS's names for "these credentials are wrong", lower-case. */
  private static final Set<String> CREDENTIAL_ERRORS = Set.of("unrecognizedclientexception",
      "invalidsignatureexception", "incompletesignatureexception", "missingauthenticationtokenexception",
      "expiredtokenexception", "invalidclienttokenid", "signaturedoesnotmatch", "expiredtoken");

  private BedrockError() {
  }

  /** The error for a complete (non-streamed) Bedrock answer with status {@code status}. */
  public static GatewayError of(int status, String errorTypeHeader, byte[] body, Deployment deployment) {
    JsonNode json = null;
    try {
      json = JSON.readTree(body);
    } catch (IOException notJson) {
      // an error page from a proxy in front of Bedrock: the status still says enough
    }
    String type = typeName(errorTypeHeader);
    if (type == null && json != null) {
      type = typeName(json.path("__type").asText(null));
    }
    String message = json == null ? null : json.path("message").asText(json.path("Message").asText(null));
    return of(status, type, message, deployment);
  }

  /**
   * The error for exception type {@code type} ({@code ThrottlingException}, or {@code throttlingException} as streams
   * write it; null when unknown) with AWS's {@code message}; {@code status} decides when the type is not known.
   */
  public static GatewayError of(int status, String type, String message, Deployment deployment) {
    String key = type == null ? "" : type.toLowerCase(Locale.ROOT);
    if (CREDENTIAL_ERRORS.contains(key)) {
      return new GatewayError(403, "permission_error", "deployment " + deployment.id() + ": AWS did not accept the"
          + " credentials of " + deployment.settings(AwsSettings.class).credentialsSource() + " (" + type + ")");
    }
    String text = "Bedrock " + (type == null ? "error " + status : type)
        + (message == null || message.isBlank() ? "" : ": " + message);
    return switch (key) {
      case "throttlingexception", "servicequotaexceededexception", "toomanyrequestsexception" ->
          new GatewayError(429, "rate_limit_error", text);
      case "validationexception" -> new GatewayError(400, "invalid_request_error", text);
      case "accessdeniedexception" -> new GatewayError(403, "permission_error", text);
      case "resourcenotfoundexception" -> new GatewayError(404, "not_found_error", text);
      case "modelnotreadyexception", "serviceunavailableexception" -> new GatewayError(529, "overloaded_error", text);
      case "modeltimeoutexception" -> new GatewayError(504, "timeout_error", text);
      case "internalserverexception", "modelerrorexception", "modelstreamerrorexception" ->
          new GatewayError(500, "api_error", text);
      default -> byStatus(status, text);
    };
  }

  private static GatewayError byStatus(int status, String text) {
    if (status == 429) {
      return new GatewayError(429, "rate_limit_error", text);
    }
    if (status == 401 || status == 403) {
      return new GatewayError(403, "permission_error", text);
    }
    if (status >= 400 && status < 500) {
      return new GatewayError(status, "invalid_request_error", text);
    }
    return new GatewayError(status >= 500 && status < 600 ? status : 502, "api_error", text);
  }

  /** {@code ValidationException:http://internal.amazon.com/...} or {@code com.amazon.coral#X} → the bare name. */
  static String typeName(String raw) {
    if (raw == null || raw.isBlank()) {
      return null;
    }
    String name = raw.trim();
    int colon = name.indexOf(':');
    if (colon >= 0) {
      name = name.substring(0, colon);
    }
    int hash = name.lastIndexOf('#');
    if (hash >= 0) {
      name = name.substring(hash + 1);
    }
    return name.isBlank() ? null : name;
  }
}
