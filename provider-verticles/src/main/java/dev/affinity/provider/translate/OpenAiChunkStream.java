package dev.affinity.provider.translate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns an Anthropic Messages event stream into an OpenAI Chat Completions chunk stream, as bytes arrive.
 *
 * <p>Push style: {@link #feed} takes whatever piece of the upstream body just arrived and returns the complete OpenAI
 * SSE frames ({@code data: {...}\n\n}) it made possible, in order, ready to write; {@link #finish} is called once the
 * upstream body has ended. Only the one event in progress is held back, and a thinking block's text until the block
 * is over (at most {@link #MAX_EVENT_BYTES} characters of it; a longer one is relayed as reasoning only), so memory
 * stays flat however long the answer.
 *
 * <p>What the client sees: a first chunk with {@code role: "assistant"}, then text as {@code delta.content}, each
 * {@code tool_use} as a {@code delta.tool_calls} entry (id and name first, then argument fragments), thinking as
 * {@code delta.reasoning_content} and, once each thinking block is over, the whole block with its signature in
 * LiteLLM's {@code delta.thinking_blocks} (a redacted one at once), which the client hands back on the assistant
 * message to continue a thinking turn; a chunk carrying {@code finish_reason}, a usage chunk with empty {@code choices}
 * when the client asked for {@code stream_options.include_usage} (every other chunk then has {@code "usage": null}),
 * and {@code data: [DONE]}. An upstream {@code error} event becomes an OpenAI error frame and ends the stream, without
 * {@code [DONE]}, as OpenAI does; so does a stream that stops before Claude said why it stopped.
 *
 * <p>Not thread-safe: one instance per response, fed from the context that reads the upstream body.
 */
public final class OpenAiChunkStream extends PushedStream {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final String DONE = "data: [DONE]\n\n";

  private final String model;
  private final boolean includeUsage;
  private final boolean json;
  private final long created;
  /** Anthropic content block index → OpenAI tool call index, for the blocks that are tool calls. */
  private final Map<Integer, Integer> toolIndexByBlock = new HashMap<>();
  private final ObjectNode anthropicUsage = NODES.objectNode();
  /** The thinking block in progress: its index (-1 when none), text and signature, relayed whole at its stop. */
  private int thinkingIndex = -1;
  /** The index of the JSON answer's tool call ({@link ChatToMessages#JSON_TOOL}), -1 when none: its input is text. */
  private int jsonIndex = -1;
  private StringBuilder thinkingText;
  private String thinkingSignature;

  private String id = MessagesToChat.completionId("unknown");
  private boolean started;
  private String finishReason;

  /** A stream whose chunks are dated now. */
  public OpenAiChunkStream(String model, boolean includeUsage, boolean json) {
    this(model, includeUsage, json, Instant.now().getEpochSecond());
  }

  /**
   * @param model the name the client asked for, echoed in every chunk
   * @param includeUsage whether the client asked for {@code stream_options.include_usage}
   * @param json whether the client asked for JSON ({@link ChatToMessages#answersThroughJsonTool}): the
   *     {@link ChatToMessages#JSON_TOOL} call's input then streams as {@code delta.content}
   * @param created epoch seconds for every chunk's {@code created}
   */
  public OpenAiChunkStream(String model, boolean includeUsage, boolean json, long created) {
    this.model = model;
    this.includeUsage = includeUsage;
    this.json = json;
    this.created = created;
  }

  @Override
  void onEvent(String eventName, String data) {
    JsonNode event;
    try {
      event = JSON.readTree(data);
    } catch (JsonProcessingException e) {
      fail("api_error", "The upstream model sent a malformed event.");
      return;
    }
    String type = event.path("type").asText(eventName);
    switch (type) {
      case "message_start" -> {
        JsonNode message = event.path("message");
        id = MessagesToChat.completionId(message.path("id").asText(""));
        mergeUsage(message.path("usage"));
        start();
      }
      case "content_block_start" -> onBlockStart(event.path("index").asInt(), event.path("content_block"));
      case "content_block_delta" -> onDelta(event.path("index").asInt(), event.path("delta"));
      case "content_block_stop" -> onBlockStop(event.path("index").asInt());
      case "message_delta" -> {
        mergeUsage(event.path("usage"));
        String reason = MessagesToChat.finishReason(event.path("delta").path("stop_reason").asText(null),
            jsonIndex >= 0 && toolIndexByBlock.isEmpty());
        if (reason != null && finishReason == null) {
          finishReason = reason;
          emitChoice(NODES.objectNode(), reason);
        }
      }
      case "message_stop" -> complete();
      case "error" -> {
        JsonNode error = event.path("error");
        fail(error.path("type").asText("api_error"), error.path("message").asText("The upstream model failed."));
      }
      // ping, and event types added after this was written
      default -> { }
    }
  }

  private void onBlockStart(int index, JsonNode block) {
    start();
    switch (block.path("type").asText()) {
      case "text" -> content("content", block.path("text").asText(""));
      case "thinking" -> {
        thinkingIndex = index;
        thinkingText = new StringBuilder(block.path("thinking").asText(""));
        thinkingSignature = block.path("signature").asText("");
        content("reasoning_content", thinkingText.toString());
      }
      case "redacted_thinking" -> thinkingBlock(block.deepCopy());
      case "tool_use" -> {
        if (json && block.path("name").asText().equals(ChatToMessages.JSON_TOOL)) {
          jsonIndex = index;
          return;
        }
        int toolIndex = toolIndexByBlock.size();
        toolIndexByBlock.put(index, toolIndex);
        ObjectNode call = NODES.objectNode().put("index", toolIndex)
            .put("id", block.path("id").asText()).put("type", "function");
        // arguments follow as input_json_delta fragments; the start block's input is always empty
        call.putObject("function").put("name", block.path("name").asText()).put("arguments", "");
        toolCalls(call);
      }
      default -> { }
    }
  }

  private void onDelta(int index, JsonNode delta) {
    switch (delta.path("type").asText()) {
      case "text_delta" -> content("content", delta.path("text").asText(""));
      case "thinking_delta" -> {
        String thinking = delta.path("thinking").asText("");
        if (index == thinkingIndex && thinkingText != null) {
          thinkingText = thinkingText.length() + thinking.length() > MAX_EVENT_BYTES ? null
              : thinkingText.append(thinking);
        }
        content("reasoning_content", thinking);
      }
      case "signature_delta" -> {
        if (index == thinkingIndex) {
          thinkingSignature = thinkingSignature + delta.path("signature").asText("");
        }
      }
      case "input_json_delta" -> {
        Integer toolIndex = toolIndexByBlock.get(index);
        String fragment = delta.path("partial_json").asText("");
        if (index == jsonIndex) {
          content("content", fragment);
        }
        if (toolIndex != null && !fragment.isEmpty()) {
          ObjectNode call = NODES.objectNode().put("index", toolIndex);
          call.putObject("function").put("arguments", fragment);
          toolCalls(call);
        }
      }
      default -> { }
    }
  }

  private void onBlockStop(int index) {
    if (index != thinkingIndex) {
      return;
    }
    if (thinkingText != null) {
      thinkingBlock(NODES.objectNode().put("type", "thinking").put("thinking", thinkingText.toString())
          .put("signature", thinkingSignature));
    }
    thinkingIndex = -1;
    thinkingText = null;
    thinkingSignature = null;
  }

  private void thinkingBlock(ObjectNode block) {
    ObjectNode delta = NODES.objectNode();
    delta.putArray("thinking_blocks").add(block);
    emitDelta(delta);
  }

  /** The role chunk, once, before anything else the client sees. */
  private void start() {
    if (!started) {
      started = true;
      emitDelta(NODES.objectNode().put("role", "assistant").put("content", ""));
    }
  }

  private void content(String field, String text) {
    if (!text.isEmpty()) {
      emitDelta(NODES.objectNode().put(field, text));
    }
  }

  private void toolCalls(ObjectNode call) {
    ObjectNode delta = NODES.objectNode();
    delta.putArray("tool_calls").add(call);
    emitDelta(delta);
  }

  private void emitDelta(ObjectNode delta) {
    emitChoice(delta, null);
  }

  private void emitChoice(ObjectNode delta, String reason) {
    ObjectNode chunk = chunk();
    ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
    choice.set("delta", delta);
    choice.putNull("logprobs");
    choice.put("finish_reason", reason);
    if (includeUsage) {
      chunk.putNull("usage");
    }
    emit(frame(chunk));
  }

  /** The fields every chunk starts with. */
  private ObjectNode chunk() {
    return NODES.objectNode()
        .put("id", id)
        .put("object", "chat.completion.chunk")
        .put("created", created)
        .put("model", model);
  }

  @Override
  boolean stopped() {
    return finishReason != null;
  }

  @Override
  void complete() {
    if (isEnded()) {
      return;
    }
    if (finishReason == null) {
      // a message_stop without a stop_reason: the answer is whole, say so
      finishReason = "stop";
      emitChoice(NODES.objectNode(), finishReason);
    }
    if (includeUsage) {
      ObjectNode chunk = chunk();
      chunk.putArray("choices");
      chunk.set("usage", MessagesToChat.usage(anthropicUsage));
      emit(frame(chunk));
    }
    emit(DONE);
    end();
  }

  @Override
  void fail(String anthropicType, String message) {
    emit(frame(MessagesToChat.errorBody(anthropicType, message)));
    end();
  }

  /** message_delta usage is cumulative: a field present there replaces the message_start value. */
  private void mergeUsage(JsonNode usage) {
    for (Map.Entry<String, JsonNode> field : usage.properties()) {
      if (field.getValue().isNumber()) {
        anthropicUsage.set(field.getKey(), field.getValue());
      }
    }
  }

  private static String frame(ObjectNode json) {
    return "data: " + json + "\n\n";
  }
}
