package dev.affinity.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.affinity.model.GatewayError;
import dev.affinity.model.TokenUsage;

import java.util.Locale;
import java.util.UUID;

/**
 * A Gemini {@code GenerateContentResponse} in Anthropic's terms: the first candidate's parts as content blocks, its
 * finish reason as a stop reason, {@code usageMetadata} as usage, Google's errors as Anthropic's.
 */
public final class GeminiToAnthropic {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final int MAX_MESSAGE = 500;

  private GeminiToAnthropic() {
  }

  /** The Anthropic message for a complete answer; {@code model} is the one the client asked for. */
  public static ObjectNode message(JsonNode gemini, String model) {
    ObjectNode message = NODES.objectNode()
        .put("id", "msg_" + gemini.path("responseId").asText(UUID.randomUUID().toString().replace("-", "")))
        .put("type", "message").put("role", "assistant").put("model", model);
    ArrayNode content = message.putArray("content");
    boolean calledTool = false;
    StringBuilder text = null;
    for (JsonNode part : firstCandidate(gemini).path("content").path("parts")) {
      if (part.path("text").isTextual() && !part.path("thought").asBoolean()) {
        text = text == null ? new StringBuilder() : text;
        text.append(part.get("text").asText());
      } else if (part.path("functionCall").isObject()) {
        text = flush(text, content);
        content.add(toolUse(part.get("functionCall")));
        calledTool = true;
      }
    }
    flush(text, content);
    message.put("stop_reason", stopReason(gemini, calledTool));
    message.putNull("stop_sequence");
    message.set("usage", usageJson(usage(gemini.path("usageMetadata"))));
    return message;
  }

  private static StringBuilder flush(StringBuilder text, ArrayNode content) {
    if (text != null) {
      content.addObject().put("type", "text").put("text", text.toString());
    }
    return null;
  }

  static JsonNode firstCandidate(JsonNode gemini) {
    return gemini.path("candidates").path(0);
  }

  /** A {@code tool_use} block for a Gemini function call, with an id of its own (Gemini's calls have none). */
  static ObjectNode toolUse(JsonNode functionCall) {
    ObjectNode block = NODES.objectNode().put("type", "tool_use")
        .put("id", functionCall.path("id").isTextual() ? functionCall.get("id").asText() : toolUseId())
        .put("name", functionCall.path("name").asText());
    block.set("input", functionCall.path("args").isObject() ? functionCall.get("args") : NODES.objectNode());
    return block;
  }

  static String toolUseId() {
    return "toolu_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
  }

  /** The stop reason of an answer whose parts did ({@code calledTool}) or did not call a function. */
  static String stopReason(JsonNode gemini, boolean calledTool) {
    JsonNode candidate = firstCandidate(gemini);
    if (candidate.isMissingNode() && gemini.path("promptFeedback").has("blockReason")) {
      return "refusal";
    }
    return stopReason(candidate.path("finishReason").asText(""), calledTool);
  }

  static String stopReason(String finishReason, boolean calledTool) {
    if (calledTool) {
      return "tool_use";
    }
    return switch (finishReason) {
      case "MAX_TOKENS" -> "max_tokens";
      case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY" -> "refusal";
      default -> "end_turn";
    };
  }

  /**
   * Usage from {@code usageMetadata}: the prompt's implicitly cached part is a cache read, the rest plain input
   * (Gemini writes its cache for free); thinking tokens are billed as output.
   */
  public static TokenUsage usage(JsonNode usageMetadata) {
    long prompt = usageMetadata.path("promptTokenCount").asLong();
    long cached = Math.min(prompt, usageMetadata.path("cachedContentTokenCount").asLong());
    long output = usageMetadata.path("candidatesTokenCount").asLong() + usageMetadata.path("thoughtsTokenCount")
        .asLong();
    return new TokenUsage(prompt - cached, 0, 0, 0, cached, output);
  }

  static ObjectNode usageJson(TokenUsage usage) {
    return NODES.objectNode().put("input_tokens", usage.inputTokens())
        .put("cache_creation_input_tokens", 0)
        .put("cache_read_input_tokens", usage.cacheReadInputTokens())
        .put("output_tokens", usage.outputTokens());
  }

  /**
   * The Anthropic error for a Gemini error answer ({@code {"error":{"code","message","status"}}}, or anything else a
   * proxy sent). The message names the deployment, never the key.
   */
  public static GatewayError error(int status, JsonNode body, String deploymentId) {
    JsonNode error = body == null ? NODES.missingNode() : body.path("error");
    String googleStatus = error.path("status").asText("").toUpperCase(Locale.ROOT);
    int code = status > 0 ? status : error.path("code").asInt(500);
    String message = error.path("message").asText("");
    if (message.length() > MAX_MESSAGE) {
      message = message.substring(0, MAX_MESSAGE) + "...";
    }
    String text = "deployment " + deploymentId + ": Gemini " + (googleStatus.isEmpty() ? "error " + code
        : googleStatus) + (message.isBlank() ? "" : ": " + message);
    return switch (googleStatus) {
      case "RESOURCE_EXHAUSTED" -> new GatewayError(429, "rate_limit_error", text);
      case "PERMISSION_DENIED" -> new GatewayError(403, "permission_error", text);
      case "UNAUTHENTICATED" -> new GatewayError(401, "authentication_error", text);
      case "NOT_FOUND" -> new GatewayError(404, "not_found_error", text);
      case "UNAVAILABLE" -> new GatewayError(529, "overloaded_error", text);
      case "DEADLINE_EXCEEDED" -> new GatewayError(504, "timeout_error", text);
      case "INVALID_ARGUMENT", "FAILED_PRECONDITION", "OUT_OF_RANGE" ->
          // an invalid API key is a 400 INVALID_ARGUMENT on Gemini; the client's request is not at fault
          message.contains("API key") ? new GatewayError(401, "authentication_error", text)
              : new GatewayError(400, "invalid_request_error", text);
      default -> switch (code) {
        case 400 -> new GatewayError(400, "invalid_request_error", text);
        case 401 -> new GatewayError(401, "authentication_error", text);
        case 403 -> new GatewayError(403, "permission_error", text);
        case 404 -> new GatewayError(404, "not_found_error", text);
        case 429 -> new GatewayError(429, "rate_limit_error", text);
        case 503 -> new GatewayError(529, "overloaded_error", text);
        default -> code >= 400 && code < 500 ? new GatewayError(code, "invalid_request_error", text)
            : new GatewayError(code >= 500 && code < 600 ? code : 502, "api_error", text);
      };
    };
  }
}
