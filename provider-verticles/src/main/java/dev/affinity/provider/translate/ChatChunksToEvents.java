package dev.affinity.provider.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.affinity.model.TokenUsage;
import dev.affinity.provider.openai.OpenAiUsage;


/**
 * Turns an OpenAI Chat Completions chunk stream into an Anthropic Messages event stream, as bytes arrive: the
 * counterpart of {@link OpenAiChunkStream} for the Anthropic client of {@link MessagesRequestToChat}.
 *
 * <p>Push style ({@link PushedStream}): {@link #feed} takes whatever piece of the upstream body just arrived and
 * returns the complete SSE frames ({@code event: ...\ndata: {...}\n\n}) it made possible; {@link #finish} is called
 * once the upstream body has ended. Only the one chunk in progress is held back.
 *
 * <p>What the client sees, in Anthropic's order: {@code message_start} (its usage zero: Chat streams report usage at
 * their end), then one block at a time: text as a {@code text} block of {@code text_delta}s, each tool call as a
 * {@code tool_use} block (id and name at its start, the arguments as {@code input_json_delta}s), each block closed
 * before the next opens; then {@code message_delta} with the stop reason and the usage of the last chunk, and
 * {@code message_stop}. An upstream error chunk becomes an {@code error} event and ends the stream, as does a stream
 * that stops before the model said why it stopped.
 *
 * <p>Not thread-safe: one instance per response, fed from the context that reads the upstream body.
 */
public final class ChatChunksToEvents extends ChatChunkStream {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final String model;
  private boolean started;
  /** The index of the open block, -1 when none is open. */
  private int openBlock = -1;
  private int blocks;
  /** The OpenAI tool-call index the open block is, or -1 when the open block is text. */
  private int openToolCall = -1;
  private String stopReason;
  private boolean calledTools;
  private JsonNode usage;
  private String errorType;

  /** @param model the name the client asked for, echoed in {@code message_start} */
  public ChatChunksToEvents(String model) {
    this.model = model;
  }

  /** The usage of the stream's last usage chunk (complete once it ended), or null when none came. */
  public TokenUsage usage() {
    return OpenAiUsage.of(usage);
  }

  /** The Anthropic type of the error the stream ended with, or null. */
  public String errorType() {
    return errorType;
  }

  @Override
  void onChunk(JsonNode chunk) {
    start(chunk);
    if (chunk.path("usage").isObject()) {
      usage = chunk.get("usage");
    }
    JsonNode choice = chunk.path("choices").path(0);
    JsonNode delta = choice.path("delta");
    String text = ChatAnswerToMessages.text(delta.get("content"));
    if (!text.isEmpty()) {
      if (openBlock < 0 || openToolCall >= 0) {
        openBlock(NODES.objectNode().put("type", "text").put("text", ""), -1);
      }
      blockDelta(NODES.objectNode().put("type", "text_delta").put("text", text));
    }
    for (JsonNode call : delta.path("tool_calls")) {
      int index = call.path("index").asInt(0);
      if (index != openToolCall || openBlock < 0) {
        ObjectNode toolUse = NODES.objectNode().put("type", "tool_use").put("id", call.path("id").asText(""))
            .put("name", call.path("function").path("name").asText(""));
        toolUse.putObject("input");
        openBlock(toolUse, index);
        calledTools = true;
      }
      String arguments = call.path("function").path("arguments").asText("");
      if (!arguments.isEmpty()) {
        blockDelta(NODES.objectNode().put("type", "input_json_delta").put("partial_json", arguments));
      }
    }
    String finish = choice.path("finish_reason").asText(null);
    if (finish != null && stopReason == null) {
      stopReason = ChatAnswerToMessages.stopReason(finish, calledTools);
    }
  }

  /** {@code message_start}, once, before anything else the client sees. */
  private void start(JsonNode chunk) {
    if (started) {
      return;
    }
    started = true;
    ObjectNode event = NODES.objectNode().put("type", "message_start");
    event.set("message", ChatAnswerToMessages.envelope(chunk.path("id").asText(""), model));
    emit("message_start", event);
  }

  /** Closes the open block, if any, and opens {@code block} as the next one. */
  private void openBlock(ObjectNode block, int toolCall) {
    closeBlock();
    openBlock = blocks++;
    openToolCall = toolCall;
    ObjectNode event = NODES.objectNode().put("type", "content_block_start").put("index", openBlock);
    event.set("content_block", block);
    emit("content_block_start", event);
  }

  private void blockDelta(ObjectNode delta) {
    ObjectNode event = NODES.objectNode().put("type", "content_block_delta").put("index", openBlock);
    event.set("delta", delta);
    emit("content_block_delta", event);
  }

  private void closeBlock() {
    if (openBlock >= 0) {
      emit("content_block_stop", NODES.objectNode().put("type", "content_block_stop").put("index", openBlock));
      openBlock = -1;
      openToolCall = -1;
    }
  }

  @Override
  boolean stopped() {
    return stopReason != null;
  }

  @Override
  void complete() {
    if (!started) {
      start(NODES.objectNode());
    }
    closeBlock();
    ObjectNode event = NODES.objectNode().put("type", "message_delta");
    event.putObject("delta").put("stop_reason", stopReason).putNull("stop_sequence");
    event.set("usage", ChatAnswerToMessages.usage(usage));
    emit("message_delta", event);
    emit("message_stop", NODES.objectNode().put("type", "message_stop"));
    end();
  }

  @Override
  void fail(String anthropicType, String message) {
    ObjectNode event = NODES.objectNode().put("type", "error");
    event.putObject("error").put("type", anthropicType).put("message", message);
    emit("error", event);
    errorType = anthropicType;
    end();
  }

  private void emit(String name, ObjectNode data) {
    emit("event: " + name + "\ndata: " + data + "\n\n");
  }
}
