package dev.affinity.provider.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A Chat Completions answer as the Responses API's response object, as LiteLLM bridges the Responses API: the text a
 * {@code message} output item of one {@code output_text}, each tool call a {@code function_call} item, a
 * {@code length} finish an {@code incomplete} response ({@code max_output_tokens}), the usage in the Responses API's
 * names; each of Claude's signed thinking blocks (LiteLLM's {@code thinking_blocks}) a {@code reasoning} item first,
 * which a client hands back as OpenAI's ({@link #reasoningItem}). The pieces are shared with
 * {@link ChatChunksToResponseEvents}, which builds the same object from a stream. Pure: trees in, new trees out.
 */
final class ChatToResponse {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Marks the reasoning items this gateway makes of Claude's thinking (and versions their encoding). */
  private static final String REASONING_PREFIX = "affinity-thinking-v1.";

  private ChatToResponse() {
  }

  /**
   * @param completion a chat completion
   * @param model      the model the client asked for
   */
  static ObjectNode response(JsonNode completion, String model) {
    JsonNode choice = completion.path("choices").path(0);
    JsonNode message = choice.path("message");
    String id = responseId(completion.path("id").asText(""));
    ArrayNode output = NODES.arrayNode();
    for (JsonNode thinking : message.path("thinking_blocks")) {
      output.add(reasoningItem(id, output.size(), thinking));
    }
    String text = ChatAnswerToMessages.text(message.get("content"));
    String finish = choice.path("finish_reason").asText("stop");
    if (!text.isEmpty()) {
      output.add(messageItem(id, 0, text, finish));
    }
    for (JsonNode call : message.path("tool_calls")) {
      output.add(functionCall(call.path("id").asText(""), call.path("function").path("name").asText(""),
          call.path("function").path("arguments").asText("")));
    }
    return envelope(id, completion.path("created").asLong(0), model, status(finish), output,
        usage(completion.get("usage")), finish);
  }

  /** The response's id, from the chat completion's: {@code resp_} and what follows {@code chatcmpl-}. */
  static String responseId(String completionId) {
    return "resp_" + (completionId.startsWith("chatcmpl-") ? completionId.substring("chatcmpl-".length())
        : completionId);
  }

  /** {@code completed}, or {@code incomplete} when the token cap or a content filter cut the answer. */
  static String status(String finish) {
    return "length".equals(finish) || "content_filter".equals(finish) ? "incomplete" : "completed";
  }

  /** A {@code message} item; {@code index} (its place in the output) keeps the ids of several apart. */
  static ObjectNode messageItem(String responseId, int index, String text, String finish) {
    ObjectNode item = NODES.objectNode()
        .put("id", "msg_" + responseId.substring("resp_".length()) + (index == 0 ? "" : "_" + index))
        .put("type", "message").put("status", finish == null ? "in_progress" : status(finish))
        .put("role", "assistant");
    ArrayNode content = item.putArray("content");
    if (text != null) {
      content.add(textPart(text));
    }
    return item;
  }

  /**
   * One of Claude's thinking blocks as a {@code reasoning} item: its text the summary, the block itself (signature
   * included) its {@code encrypted_content}, which clients that keep no state (Codex, with {@code store: false})
   * hand back in their next request, as they do OpenAI's; the request side turns it back into the block
   * ({@link #thinkingBlock}), so Claude gets its signed thinking back before the tool results that follow it. It is
   * encoded, not encrypted: the block is what Claude sent, and Claude checks its signature.
   */
  static ObjectNode reasoningItem(String responseId, int index, JsonNode thinking) {
    ObjectNode item = NODES.objectNode().put("id", "rs_" + responseId.substring("resp_".length()) + "_" + index)
        .put("type", "reasoning");
    ArrayNode summary = item.putArray("summary");
    if (thinking.path("thinking").isTextual()) {
      summary.addObject().put("type", "summary_text").put("text", thinking.get("thinking").textValue());
    }
    return item.put("encrypted_content", REASONING_PREFIX + Base64.getUrlEncoder().withoutPadding()
        .encodeToString(thinking.toString().getBytes(StandardCharsets.UTF_8)));
  }

  /** The thinking block a reasoning item's {@code encrypted_content} holds; null for one this gateway did not make. */
  static ObjectNode thinkingBlock(JsonNode encryptedContent) {
    if (encryptedContent == null || !encryptedContent.isTextual()
        || !encryptedContent.textValue().startsWith(REASONING_PREFIX)) {
      return null;
    }
    try {
      JsonNode block = JSON.readTree(Base64.getUrlDecoder().decode(
          encryptedContent.textValue().substring(REASONING_PREFIX.length())));
      String type = block == null ? "" : block.path("type").asText("");
      return type.equals("thinking") || type.equals("redacted_thinking") ? (ObjectNode) block : null;
    } catch (IllegalArgumentException | IOException notOurs) {
      return null;
    }
  }

  static ObjectNode textPart(String text) {
    ObjectNode part = NODES.objectNode().put("type", "output_text").put("text", text);
    part.putArray("annotations");
    return part;
  }

  static ObjectNode functionCall(String callId, String name, String arguments) {
    return NODES.objectNode().put("id", "fc_" + callId).put("type", "function_call").put("status", "completed")
        .put("call_id", callId).put("name", name).put("arguments", arguments);
  }

  /** The Responses API's usage for a chat completion's, or null when there is none. */
  static ObjectNode usage(JsonNode chat) {
    if (chat == null || !chat.isObject()) {
      return null;
    }
    long input = chat.path("prompt_tokens").asLong(0);
    long output = chat.path("completion_tokens").asLong(0);
    ObjectNode usage = NODES.objectNode().put("input_tokens", input);
    usage.putObject("input_tokens_details").put("cached_tokens",
        chat.path("prompt_tokens_details").path("cached_tokens").asLong(0));
    usage.put("output_tokens", output);
    usage.putObject("output_tokens_details").put("reasoning_tokens",
        chat.path("completion_tokens_details").path("reasoning_tokens").asLong(0));
    return usage.put("total_tokens", input + output);
  }

  /**
   * The response object with the fields OpenAI always sends (clients read them): nothing is stored on these
   * deployments, so {@code store} is false.
   *
   * @param finish the chat finish reason, null while in progress
   */
  static ObjectNode envelope(String id, long createdAt, String model, String status, ArrayNode output,
                             ObjectNode usage, String finish) {
    ObjectNode response = NODES.objectNode().put("id", id).put("object", "response").put("created_at", createdAt)
        .put("status", status);
    response.putNull("error");
    if ("incomplete".equals(status)) {
      response.putObject("incomplete_details").put("reason",
          "content_filter".equals(finish) ? "content_filter" : "max_output_tokens");
    } else {
      response.putNull("incomplete_details");
    }
    response.putNull("instructions");
    response.putObject("metadata");
    response.put("model", model);
    response.set("output", output);
    response.put("parallel_tool_calls", true);
    response.putNull("previous_response_id");
    response.put("store", false);
    response.putNull("temperature");
    response.put("tool_choice", "auto");
    response.putArray("tools");
    response.putNull("top_p");
    response.set("usage", usage == null ? NODES.nullNode() : usage);
    return response;
  }
}
