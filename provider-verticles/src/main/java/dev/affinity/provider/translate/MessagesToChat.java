package dev.affinity.provider.translate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.affinity.model.GatewayError;

import java.time.Instant;

/**
 * Translates Anthropic Messages answers (a message, or an error) into OpenAI Chat Completions answers, for clients
 * that spoke OpenAI to an alias served by Claude. Pure functions; the input is never changed.
 */
public final class MessagesToChat {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private MessagesToChat() {
  }

  /** As {@link #response(JsonNode, String, boolean, long)}, created now. */
  public static ObjectNode response(JsonNode message, String model, boolean json) {
    return response(message, model, json, Instant.now().getEpochSecond());
  }

  /**
   * A {@code chat.completion} object. Text blocks are joined into {@code content}, {@code tool_use} blocks become
   * {@code tool_calls}, thinking becomes {@code reasoning_content} plus LiteLLM's {@code thinking_blocks} (which a
   * client sends back on the assistant message to continue a thinking turn); server tool blocks are dropped.
   *
   * @param model the name the client asked for, which is what it expects to read back
   * @param json whether the client asked for JSON ({@link ChatToMessages#answersThroughJsonTool}): the input of the
   *     {@link ChatToMessages#JSON_TOOL} call is then the content, and the turn an ordinary stop
   * @param created epoch seconds
   */
  public static ObjectNode response(JsonNode message, String model, boolean json, long created) {
    StringBuilder text = new StringBuilder();
    StringBuilder reasoning = new StringBuilder();
    ArrayNode toolCalls = NODES.arrayNode();
    ArrayNode thinkingBlocks = NODES.arrayNode();
    for (JsonNode block : message.path("content")) {
      switch (block.path("type").asText()) {
        case "text" -> text.append(block.path("text").asText());
        case "tool_use" -> {
          if (json && block.path("name").asText().equals(ChatToMessages.JSON_TOOL)) {
            text.append(arguments(block));
          } else {
            toolCalls.add(toolCall(block));
          }
        }
        case "thinking" -> {
          reasoning.append(block.path("thinking").asText());
          thinkingBlocks.add(block.deepCopy());
        }
        case "redacted_thinking" -> thinkingBlocks.add(block.deepCopy());
        default -> { }
      }
    }

    ObjectNode assistant = NODES.objectNode().put("role", "assistant");
    // OpenAI sends null, not "", when the turn is only tool calls
    if (text.length() > 0 || toolCalls.isEmpty()) {
      assistant.put("content", text.toString());
    } else {
      assistant.putNull("content");
    }
    if (!toolCalls.isEmpty()) {
      assistant.set("tool_calls", toolCalls);
    }
    if (!thinkingBlocks.isEmpty()) {
      assistant.put("reasoning_content", reasoning.toString());
      assistant.set("thinking_blocks", thinkingBlocks);
    }

    ObjectNode completion = NODES.objectNode()
        .put("id", completionId(message.path("id").asText("")))
        .put("object", "chat.completion")
        .put("created", created)
        .put("model", model);
    ObjectNode choice = completion.putArray("choices").addObject().put("index", 0);
    choice.set("message", assistant);
    choice.putNull("logprobs");
    choice.put("finish_reason", finishReason(message.path("stop_reason").asText(null), json && toolCalls.isEmpty()));
    completion.set("usage", usage(message.path("usage")));
    return completion;
  }

  /** {@code tool_use} as an OpenAI tool call: the input object becomes compact JSON text. */
  static ObjectNode toolCall(JsonNode toolUse) {
    ObjectNode call = NODES.objectNode().put("id", toolUse.path("id").asText()).put("type", "function");
    call.putObject("function")
        .put("name", toolUse.path("name").asText())
        .put("arguments", arguments(toolUse));
    return call;
  }

  /** A tool call's input as compact JSON text. */
  private static String arguments(JsonNode toolUse) {
    return toolUse.path("input").isObject() ? toolUse.get("input").toString() : "{}";
  }

  static String completionId(String anthropicId) {
    return "chatcmpl-" + anthropicId;
  }

  /**
   * Anthropic's {@code stop_reason} as OpenAI's {@code finish_reason}; null stays null (still generating). A pause
   * (a server tool ran out of turns) reads as a normal stop: the text so far is a complete answer to show.
   */
  public static String finishReason(String stopReason) {
    return finishReason(stopReason, false);
  }

  /**
   * As {@link #finishReason(String)}; {@code answeredInJson}: the only tool called was the JSON answer's, so a
   * {@code tool_use} stop is the end of the answer.
   */
  static String finishReason(String stopReason, boolean answeredInJson) {
    if (stopReason == null) {
      return null;
    }
    return switch (stopReason) {
      case "max_tokens", "model_context_window_exceeded" -> "length";
      case "tool_use" -> answeredInJson ? "stop" : "tool_calls";
      case "refusal" -> "content_filter";
      default -> "stop";
    };
  }

  /**
   * Anthropic's {@code usage} in OpenAI's terms. Anthropic's {@code input_tokens} counts only what follows the last
   * cache breakpoint, so the prompt is the sum of the three input counts; OpenAI's {@code cached_tokens} are the
   * cache reads. The Anthropic cache counts are kept as extra fields, as LiteLLM does, so the cost of cache writes
   * stays visible.
   */
  public static ObjectNode usage(JsonNode anthropicUsage) {
    long input = count(anthropicUsage, "input_tokens");
    long cacheRead = count(anthropicUsage, "cache_read_input_tokens");
    long cacheCreation = count(anthropicUsage, "cache_creation_input_tokens");
    long output = count(anthropicUsage, "output_tokens");
    long prompt = input + cacheRead + cacheCreation;
    ObjectNode usage = NODES.objectNode()
        .put("prompt_tokens", prompt)
        .put("completion_tokens", output)
        .put("total_tokens", prompt + output);
    usage.putObject("prompt_tokens_details").put("cached_tokens", cacheRead);
    usage.put("cache_read_input_tokens", cacheRead);
    usage.put("cache_creation_input_tokens", cacheCreation);
    return usage;
  }

  private static long count(JsonNode usage, String field) {
    JsonNode value = usage == null ? null : usage.get(field);
    return value != null && value.isNumber() ? value.asLong() : 0;
  }

  /**
   * An Anthropic error body ({@code {"type":"error","error":{"type","message"}}}) as OpenAI's
   * {@code {"error":{"message","type","param","code"}}}. The Anthropic type decides; the status only stands in when
   * the body has no type (an empty or non-JSON body from a proxy in between).
   */
  public static ObjectNode error(int status, JsonNode anthropicError) {
    JsonNode detail = anthropicError == null ? NODES.missingNode() : anthropicError.path("error");
    String type = detail.path("type").asText("");
    if (type.isEmpty()) {
      type = GatewayError.anthropicTypeOf(status);
    }
    String message = detail.path("message").asText("");
    if (message.isEmpty()) {
      message = "The upstream model returned an error (" + type + ").";
    }
    return errorBody(type, message);
  }

  /**
   * The HTTP status to answer an OpenAI client with. Anthropic's 529 (overloaded) is not a status OpenAI clients or
   * proxies know; 503 says the same and is retried the same way.
   */
  public static int status(int anthropicStatus) {
    return anthropicStatus == 529 ? 503 : anthropicStatus;
  }

  /**
   * An error of Anthropic's type {@code anthropicType} in OpenAI's shape; the mapping is {@link GatewayError}'s. A
   * model call's {@code not_found_error} is about its model (the endpoint exists): {@code model_not_found}.
   */
  static ObjectNode errorBody(String anthropicType, String message) {
    String param = anthropicType.equals("not_found_error") ? "model" : null;
    try {
      return (ObjectNode) MAPPER.readTree(new GatewayError(500, anthropicType, message, param).toOpenAiJson()
          .encode());
    } catch (JsonProcessingException impossible) {
      throw new IllegalStateException(impossible);
    }
  }
}
