package dev.affinity.provider.translate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.affinity.model.GatewayError;
import dev.affinity.model.TokenUsage;
import dev.affinity.provider.openai.OpenAiUsage;

/**
 * Translates an OpenAI Chat Completions answer into an Anthropic Messages answer, for the Anthropic client of
 * {@link MessagesRequestToChat}: the message, its stop reason, its usage and its errors, in the shapes an Anthropic
 * SDK reads. The stream's counterpart is {@link ChatChunksToEvents}.
 */
public final class ChatAnswerToMessages {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private ChatAnswerToMessages() {
  }

  /**
   * A {@code message} object: the first choice's text as a text block, each tool call a {@code tool_use} block
   * (its arguments parsed; arguments that are not a JSON object become an empty input).
   *
   * @param model the name the client asked for, which is what it expects to read back
   */
  public static ObjectNode message(JsonNode completion, String model) {
    JsonNode answer = completion.path("choices").path(0).path("message");
    ArrayNode content = NODES.arrayNode();
    String text = text(answer.get("content"));
    if (!text.isEmpty()) {
      content.addObject().put("type", "text").put("text", text);
    }
    for (JsonNode call : answer.path("tool_calls")) {
      content.addObject().put("type", "tool_use").put("id", call.path("id").asText())
          .put("name", call.path("function").path("name").asText())
          .set("input", input(call.path("function").path("arguments").asText("")));
    }
    ObjectNode message = envelope(completion.path("id").asText(""), model);
    message.set("content", content);
    message.put("stop_reason", stopReason(completion.path("choices").path(0).path("finish_reason").asText(null),
        answer.path("tool_calls").size() > 0));
    message.set("usage", usage(completion.get("usage")));
    return message;
  }

  /**
   * A {@code message} with no content, stop reason or usage yet, in Anthropic's field order: the whole answer's start,
   * and a stream's {@code message_start}.
   */
  static ObjectNode envelope(String completionId, String model) {
    ObjectNode message = NODES.objectNode()
        .put("id", "msg_" + (completionId.isEmpty() ? "unknown" : completionId))
        .put("type", "message")
        .put("role", "assistant")
        .put("model", model);
    message.putArray("content");
    message.putNull("stop_reason");
    message.putNull("stop_sequence");
    message.set("usage", usage(null));
    return message;
  }

  /** Chat's content: a string, or text parts (some servers answer with parts) joined. */
  static String text(JsonNode content) {
    if (content == null || content.isNull()) {
      return "";
    }
    if (content.isTextual()) {
      return content.asText();
    }
    StringBuilder text = new StringBuilder();
    for (JsonNode part : content) {
      text.append(part.path("text").asText(""));
    }
    return text.toString();
  }

  /** A tool call's arguments as the {@code tool_use} input: a JSON object, else an empty one. */
  static JsonNode input(String arguments) {
    try {
      JsonNode input = arguments.isBlank() ? null : JSON.readTree(arguments);
      return input != null && input.isObject() ? input : NODES.objectNode();
    } catch (JsonProcessingException notJson) {
      return NODES.objectNode();
    }
  }

  /**
   * OpenAI's {@code finish_reason} as Anthropic's {@code stop_reason}; null stays null (still generating). A turn that
   * called tools stopped for them, whatever the reason says: OpenAI says {@code stop} when {@code tool_choice} named
   * the function, and an Anthropic client runs the tools only on {@code tool_use}.
   */
  static String stopReason(String finishReason, boolean calledTools) {
    if (finishReason == null) {
      return null;
    }
    return switch (finishReason) {
      case "length" -> "max_tokens";
      case "tool_calls", "function_call" -> "tool_use";
      case "content_filter" -> "refusal";
      default -> calledTools ? "tool_use" : "end_turn";
    };
  }

  /**
   * OpenAI's {@code usage} in Anthropic's terms: the cached part of the prompt is the cache read, the rest the input;
   * OpenAI-compatible servers report no cache writes.
   */
  static ObjectNode usage(JsonNode usage) {
    TokenUsage read = OpenAiUsage.of(usage);
    TokenUsage tokens = read == null ? TokenUsage.NONE : read;
    return NODES.objectNode()
        .put("input_tokens", tokens.inputTokens())
        .put("cache_creation_input_tokens", 0)
        .put("cache_read_input_tokens", tokens.cacheReadInputTokens())
        .put("output_tokens", tokens.outputTokens());
  }

  /**
   * An OpenAI error body (or any body) answered with {@code status}, as Anthropic's error: its type from the status,
   * its message from the body when it has one.
   */
  public static GatewayError error(int status, JsonNode openAiError) {
    String message = openAiError == null ? "" : openAiError.path("error").path("message").asText("");
    String type = GatewayError.anthropicTypeOf(status);
    return new GatewayError(status, type, message.isEmpty()
        ? "The upstream model returned an error (" + status + ")." : message);
  }
}
