package dev.affinity.emulator;

import io.vertx.core.json.JsonObject;

/**
 * An error answered the way Bedrock Runtime answers it: the HTTP status, {@code {"message":"..."}} as the body and
 * the error code in {@code x-amzn-ErrorType} ({@code Code:namespace}, the form AWS SDKs read the code from). Inside
 * an event stream the same error travels as an exception message named by {@link #streamExceptionType()}.
 */
final class BedrockError extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Where Bedrock's own errors come from. */
  private static final String BEDROCK = "http://internal.amazon.com/coral/com.amazon.bedrock/";
  /** Where AWS's authentication layer (in front of every service) puts its errors. */
  private static final String AUTHENTICATION = "http://internal.amazon.com/coral/com.amazon.coral.service/";

  static final String INVALID_SIGNATURE = "The request signature we calculated does not match the signature you"
      + " provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for"
      + " details.";
  static final String THROTTLED = "Too many requests, please wait before trying again.";

  private final int status;
  private final String code;
  private final String namespace;

  private BedrockError(int status, String code, String namespace, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.namespace = namespace;
  }

  /** A request Bedrock cannot run: schema violations and the model's own validation. */
  static BedrockError validation(String message) {
    return new BedrockError(400, "ValidationException", BEDROCK, message);
  }

  /** Bedrock's schema check: {@code Malformed input request: #: extraneous key [model] is not permitted, ...}. */
  static BedrockError malformed(String violations) {
    return validation("Malformed input request: " + violations + ", please reformat your input and try again.");
  }

  static BedrockError throttling() {
    return new BedrockError(429, "ThrottlingException", BEDROCK, THROTTLED);
  }

  static BedrockError missingAuthentication() {
    return new BedrockError(403, "MissingAuthenticationTokenException", AUTHENTICATION,
        "Missing Authentication Token");
  }

  static BedrockError incompleteSignature(String message) {
    return new BedrockError(403, "IncompleteSignatureException", AUTHENTICATION, message);
  }

  /** An access key (or session token) AWS does not know. */
  static BedrockError unrecognizedClient() {
    return new BedrockError(403, "UnrecognizedClientException", AUTHENTICATION,
        "The security token included in the request is invalid.");
  }

  static BedrockError invalidSignature(String message) {
    return new BedrockError(403, "InvalidSignatureException", AUTHENTICATION, message);
  }

  /**
   * The Bedrock error for an HTTP status (fault injection, failures of shared handlers). 529, Anthropic's
   * "overloaded", has no Bedrock twin: it becomes 503 {@code ServiceUnavailableException}, Bedrock's answer when it
   * has no capacity.
   */
  static BedrockError forStatus(int status, String message) {
    return switch (status) {
      case 400 -> validation(message != null ? message : "Invalid request");
      case 403 -> new BedrockError(403, "AccessDeniedException", BEDROCK,
          message != null ? message : "You don't have access to the model with the specified model ID.");
      case 404 -> new BedrockError(404, "ResourceNotFoundException", BEDROCK,
          message != null ? message : "The specified resource could not be found.");
      case 408 -> new BedrockError(408, "ModelTimeoutException", BEDROCK,
          message != null ? message : "Model has timed out in processing the request. Try your request again.");
      case 413 -> validation("Input is too long for requested model.");
      case 424 -> new BedrockError(424, "ModelErrorException", BEDROCK,
          message != null ? message : "The model encountered an error processing the request.");
      case 429 -> message != null ? new BedrockError(429, "ThrottlingException", BEDROCK, message) : throttling();
      case 503, 529 -> new BedrockError(503, "ServiceUnavailableException", BEDROCK,
          message != null ? message : "Bedrock is unable to process your request.");
      default -> status >= 500
          ? new BedrockError(500, "InternalServerException", BEDROCK,
              "The system encountered an unexpected error during processing. Try your request again.")
          : validation(message != null ? message : "Invalid request");
    };
  }

  /** A failure of a shared handler (the Anthropic-shaped {@link ApiError}) told the Bedrock way. */
  static BedrockError from(ApiError error) {
    return forStatus(error.status(), error.status() == 400 ? error.getMessage() : null);
  }

  int status() {
    return status;
  }

  String code() {
    return code;
  }

  /** The {@code x-amzn-ErrorType} header value. */
  String errorType() {
    return code + ":" + namespace;
  }

  /**
   * The {@code :exception-type} of this error inside {@code InvokeModelWithResponseStream}'s event stream (the
   * stream's union members are lower camel case), or null when the stream has no such member and the error can only
   * be answered before the stream opens.
   */
  String streamExceptionType() {
    return switch (code) {
      case "ValidationException", "ThrottlingException", "InternalServerException", "ServiceUnavailableException",
          "ModelTimeoutException", "ModelStreamErrorException" ->
          Character.toLowerCase(code.charAt(0)) + code.substring(1);
      default -> null;
    };
  }

  JsonObject toJson() {
    return new JsonObject().put("message", getMessage());
  }
}
