package dev.affinity.model;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;

/**
 * An error the gateway answers with, in the provider-neutral form (HTTP status, Anthropic error type, message, and the
 * request field at fault when one is, which OpenAI's shape names as {@code param}).
 * Between verticles of one node it travels as a {@link GatewayErrorException} object; it is rendered only at the
 * edge: in the client API's shape ({@link #toJson}) for HTTP, as {@link #toEventBusJson} for cluster members.
 */
public record GatewayError(int status, String type, String message, String param) {

  public GatewayError(int status, String type, String message) {
    this(status, type, message, null);
  }

  /**
   * The {@link UsageReport#errorType()} of a call that failed here, before the upstream could answer or be found
   * unreachable: it says nothing about the deployment's health and is not counted against it.
   */
  public static final String LOCAL_FAILURE = "gateway_send_error";

  /**
   * Anthropic's error type for an upstream status whose body does not say: Anthropic's documented statuses as it
   * uses them, 503 (what OpenAI-compatible servers answer when full) as overloaded, and any other client error as an
   * invalid request, so that no 4xx reads as the server's fault.
   */
  public static String anthropicTypeOf(int status) {
    return switch (status) {
      case 401 -> "authentication_error";
      case 402 -> "billing_error";
      case 403 -> "permission_error";
      case 404 -> "not_found_error";
      case 408, 504 -> "timeout_error";
      case 413 -> "request_too_large";
      case 429 -> "rate_limit_error";
      case 503, 529 -> "overloaded_error";
      default -> status >= 400 && status < 500 ? "invalid_request_error" : "api_error";
    };
  }

  public static GatewayError invalidRequest(String message) {
    return new GatewayError(400, "invalid_request_error", message);
  }

  /** A 400 about one field, which OpenAI's error shape names as its {@code param}. */
  public static GatewayError invalidField(String param, String message) {
    return new GatewayError(400, "invalid_request_error", message, param);
  }

  public static GatewayError authentication(String message) {
    return new GatewayError(401, "authentication_error", message);
  }

  /** A 404 about something other than a model: a path, an admin query, a profile. */
  public static GatewayError notFound(String message) {
    return new GatewayError(404, "not_found_error", message);
  }

  /**
   * A 404 for a model nothing serves: the field at fault is {@code model}, and OpenAI's shape carries its code
   * {@code model_not_found}, which OpenAI clients tell apart from a wrong path.
   */
  public static GatewayError modelNotFound(String message) {
    return new GatewayError(404, "not_found_error", message, "model");
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

  /**
   * OpenAI's error body: {@code {"error":{"message","type","param","code"}}}, with OpenAI's names for the same
   * conditions.
   */
  public JsonObject toOpenAiJson() {
    String openAiType;
    String code;
    switch (type) {
      case "authentication_error" -> {
        openAiType = "invalid_request_error";
        code = "invalid_api_key";
      }
      case "not_found_error" -> {
        openAiType = "invalid_request_error";
        code = "model".equals(param) ? "model_not_found" : null;
      }
      case "request_too_large" -> {
        openAiType = "invalid_request_error";
        code = "request_too_large";
      }
      case "permission_error" -> {
        openAiType = "invalid_request_error";
        code = "permission_denied";
      }
      case "rate_limit_error" -> {
        openAiType = "requests";
        code = "rate_limit_exceeded";
      }
      case "overloaded_error" -> {
        openAiType = "server_error";
        code = "overloaded";
      }
      case "timeout_error" -> {
        openAiType = "server_error";
        code = "timeout";
      }
      case "billing_error" -> {
        openAiType = "insufficient_quota";
        code = "insufficient_quota";
      }
      case "invalid_request_error" -> {
        openAiType = "invalid_request_error";
        code = null;
      }
      default -> {
        openAiType = "server_error";
        code = null;
      }
    }
    return new JsonObject().put("error", new JsonObject().put("message", message).put("type", openAiType)
        .put("param", param).put("code", code));
  }

  /**
   * The Responses API's error event, which ends a stream that already began:
   * {@code event: error} with {@code {"type":"error","code","message","param"}} (OpenAI's code, else its type).
   */
  public String toResponsesErrorEvent() {
    JsonObject openAi = toOpenAiJson().getJsonObject("error");
    String code = openAi.getString("code") != null ? openAi.getString("code") : openAi.getString("type");
    JsonObject event = new JsonObject().put("type", "error").put("code", code).put("message", message)
        .put("param", param);
    return "event: error\ndata: " + event.encode() + "\n\n";
  }

  /** The error body in the shape of the API the client speaks. */
  public JsonObject toJson(ClientApi api) {
    return switch (api) {
      case OPENAI, RESPONSES -> toOpenAiJson();
      case BEDROCK_INVOKE -> new JsonObject().put("message", message);
      case VERTEX_RAW_PREDICT -> toGoogleJson();
      case ANTHROPIC -> toAnthropicJson();
    };
  }

  /** The status a client of {@code api} sees: 529 is Anthropic's own, the others' clients know 503. */
  public int status(ClientApi api) {
    return status == 529 && api != ClientApi.ANTHROPIC ? 503 : status;
  }

  /**
   * Bedrock's name for this error, as its {@code x-amzn-ErrorType} header carries it (with the namespace Bedrock
   * appends): what AWS SDKs read the error's kind from.
   */
  public String bedrockErrorType() {
    String name = switch (status) {
      case 400, 413 -> "ValidationException";
      case 401 -> "UnrecognizedClientException";
      case 403 -> "AccessDeniedException";
      case 404 -> "ResourceNotFoundException";
      case 408, 504 -> "ModelTimeoutException";
      case 424 -> "ModelErrorException";
      case 429 -> "ThrottlingException";
      case 503, 529 -> "ServiceUnavailableException";
      default -> status < 500 ? "ValidationException" : "InternalServerException";
    };
    return name + ":http://internal.amazon.com/coral/com.amazon.bedrock/";
  }

  /** Google's error body, as Vertex AI's front end answers: {@code {"error":{"code","message","status"}}}. */
  public JsonObject toGoogleJson() {
    String googleStatus = switch (status) {
      case 400, 413 -> "INVALID_ARGUMENT";
      case 401 -> "UNAUTHENTICATED";
      case 403 -> "PERMISSION_DENIED";
      case 404 -> "NOT_FOUND";
      case 408, 504 -> "DEADLINE_EXCEEDED";
      case 429 -> "RESOURCE_EXHAUSTED";
      case 503, 529 -> "UNAVAILABLE";
      default -> status < 500 ? "FAILED_PRECONDITION" : "INTERNAL";
    };
    return new JsonObject().put("error", new JsonObject().put("code", status(ClientApi.VERTEX_RAW_PREDICT))
        .put("message", message).put("status", googleStatus));
  }

  /**
   * The message of the {@link ReplyException} a cluster member's event-bus call fails with (docs/eventbus.md):
   * {@code {"type":...,"message":...}}, its failure code being the status.
   */
  public JsonObject toEventBusJson() {
    return new JsonObject().put("type", type).put("message", message);
  }

  /** This error as the failure a verticle of this node fails a request with, carried as an object. */
  public GatewayErrorException toReplyException() {
    return new GatewayErrorException(this);
  }

  /** Recovers the error a verticle failed a message with; anything unexpected becomes a 500 without details. */
  public static GatewayError from(Throwable failure) {
    if (failure instanceof GatewayErrorException carried) {
      return carried.error();
    }
    if (failure instanceof ReplyException reply) {
      if (reply.failureType() == ReplyFailure.TIMEOUT) {
        return upstreamTimeout("the gateway timed out waiting for the upstream answer");
      }
      if (reply.failureType() == ReplyFailure.NO_HANDLERS) {
        return internal("no handler for this request on this node");
      }
    }
    return internal("internal gateway error");
  }
}
