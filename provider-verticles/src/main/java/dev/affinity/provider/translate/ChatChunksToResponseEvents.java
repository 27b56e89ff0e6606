package dev.affinity.provider.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.affinity.model.GatewayError;

/**
 * Turns a Chat Completions chunk stream into the Responses API's typed events, as bytes arrive (push style,
 * {@link PushedStream}): the stream counterpart of {@link ChatToResponse}, as LiteLLM bridges streamed Responses.
 *
 * <p>What the client sees, in OpenAI's order, every event with its {@code type} and {@code sequence_number}:
 * {@code response.created} and {@code response.in_progress}; then one output item at a time, each closed before the
 * next opens: each of Claude's thinking blocks as a {@code reasoning} item ({@code output_item.added}, its text
 * streamed as the summary, {@code reasoning_summary_part.added}, {@code reasoning_summary_text.delta}s and
 * {@code .done}, {@code reasoning_summary_part.done}, then {@code output_item.done} with the signed block once it is
 * over, see {@link ChatToResponse#reasoningItem}; a redacted block added and done at once), text as a {@code message}
 * item
 * ({@code output_item.added}, {@code content_part.added}, {@code output_text.delta}s, {@code output_text.done},
 * {@code content_part.done}, {@code output_item.done}), each
 * tool call as a {@code function_call} item ({@code output_item.added}, {@code function_call_arguments.delta}s and
 * {@code .done}, {@code output_item.done}); then {@code response.completed} (or {@code response.incomplete}) with the
 * whole response and the usage of the last chunk. An error chunk becomes an {@code error} event and ends the stream,
 * as does a stream that ends before the model said why it stopped.
 *
 * <p>Not thread-safe: one instance per response, fed from the context that reads the upstream body.
 */
final class ChatChunksToResponseEvents extends ChatChunkStream {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final String model;
  private final ArrayNode output = NODES.arrayNode();
  private String responseId;
  private long createdAt;
  private int sequence;
  /** The open reasoning item's {@link #openCall}. */
  private static final int REASONING = -2;

  /**
   * The chat tool-call index of the open function call item; -1 for the open message item or none, {@link #REASONING}
   * for the open reasoning item.
   */
  private int openCall = -1;
  private ObjectNode openItem;
  private final StringBuilder openText = new StringBuilder();
  private String finish;
  private JsonNode usage;

  /** @param model the name the client asked for, echoed in the response */
  ChatChunksToResponseEvents(String model) {
    this.model = model;
  }

  @Override
  void onErrorChunk(JsonNode error, String message) {
    error(error.path("code").isTextual() ? error.path("code").asText() : error.path("type").asText("server_error"),
        message);
  }

  @Override
  void onChunk(JsonNode chunk) {
    start(chunk);
    if (chunk.path("usage").isObject()) {
      usage = chunk.get("usage");
    }
    JsonNode choice = chunk.path("choices").path(0);
    JsonNode delta = choice.path("delta");
    String thought = delta.path("reasoning_content").asText("");
    if (!thought.isEmpty()) {
      if (openItem == null || openCall != REASONING) {
        openReasoning();
      }
      openText.append(thought);
      emit("response.reasoning_summary_text.delta", summaryPart().put("delta", thought));
    }
    for (JsonNode thinking : delta.path("thinking_blocks")) {
      reasoning(thinking);
    }
    String text = ChatAnswerToMessages.text(delta.get("content"));
    if (!text.isEmpty()) {
      if (openItem == null || openCall >= 0) {
        openMessage();
      }
      openText.append(text);
      emit("response.output_text.delta", located(true).put("delta", text).set("logprobs", NODES.arrayNode()));
    }
    for (JsonNode call : delta.path("tool_calls")) {
      int index = call.path("index").asInt(0);
      if (openItem == null || index != openCall) {
        openCall(index, call.path("id").asText(""), call.path("function").path("name").asText(""));
      }
      String arguments = call.path("function").path("arguments").asText("");
      if (!arguments.isEmpty()) {
        openText.append(arguments);
        emit("response.function_call_arguments.delta", located(false).put("delta", arguments));
      }
    }
    String reason = choice.path("finish_reason").asText(null);
    if (reason != null && finish == null) {
      finish = reason;
    }
  }

  /** {@code response.created} and {@code response.in_progress}, once, before anything else the client sees. */
  private void start(JsonNode chunk) {
    if (responseId != null) {
      return;
    }
    responseId = ChatToResponse.responseId(chunk.path("id").asText("chatcmpl-" + System.nanoTime()));
    createdAt = chunk.path("created").asLong(0);
    ObjectNode opening = ChatToResponse.envelope(responseId, createdAt, model, "in_progress", NODES.arrayNode(), null,
        null);
    emit("response.created", NODES.objectNode().set("response", opening));
    emit("response.in_progress", NODES.objectNode().set("response", opening.deepCopy()));
  }

  /**
   * A whole thinking block (the chunk stream sends each once it is over, after its text as {@code reasoning_content}):
   * the end of the reasoning item its text opened, or, redacted, a reasoning item added and done at once.
   */
  private void reasoning(JsonNode thinking) {
    ObjectNode item = ChatToResponse.reasoningItem(responseId, output.size(), thinking);
    if (openItem != null && openCall == REASONING) {
      closeReasoning(item);
      return;
    }
    closeItem();
    ObjectNode opening = item.deepCopy();
    opening.putArray("summary");
    opening.remove("encrypted_content");
    itemAdded(opening);
    itemDone(item);
  }

  /** A reasoning item whose summary streams as Claude thinks; its signed block comes when the thinking is over. */
  private void openReasoning() {
    closeItem();
    openItem = ChatToResponse.reasoningItem(responseId, output.size(), NODES.objectNode());
    openItem.remove("encrypted_content");
    openCall = REASONING;
    itemAdded(openItem.deepCopy());
    emit("response.reasoning_summary_part.added", summaryPart().set("part", summaryText("")));
  }

  /** Ends the open reasoning item as {@code done}: its summary's done events, then the item. */
  private void closeReasoning(ObjectNode done) {
    String text = openText.toString();
    emit("response.reasoning_summary_text.done", summaryPart().put("text", text));
    emit("response.reasoning_summary_part.done", summaryPart().set("part", summaryText(text)));
    itemDone(done);
  }

  private void openMessage() {
    closeItem();
    openItem = ChatToResponse.messageItem(responseId, output.size(), null, null);
    openCall = -1;
    itemAdded(openItem.deepCopy());
    emit("response.content_part.added", located(true).set("part", ChatToResponse.textPart("")));
  }

  private void openCall(int index, String callId, String name) {
    closeItem();
    openItem = ChatToResponse.functionCall(callId, name, "");
    openCall = index;
    itemAdded(openItem.deepCopy().put("status", "in_progress"));
  }

  /** Closes the open item, if any: its done events, and its final form in the output. */
  private void closeItem() {
    if (openItem == null) {
      return;
    }
    if (openCall == REASONING) {
      // the signed block never came (too long to keep, or the stream stopped): the summary alone, nothing to hand back
      ObjectNode done = openItem.deepCopy();
      done.putArray("summary").add(summaryText(openText.toString()));
      closeReasoning(done);
      return;
    }
    String text = openText.toString();
    ObjectNode done;
    if (openCall < 0) {
      emit("response.output_text.done", located(true).put("text", text).set("logprobs", NODES.arrayNode()));
      emit("response.content_part.done", located(true).set("part", ChatToResponse.textPart(text)));
      done = ChatToResponse.messageItem(responseId, output.size(), text, finish == null ? "stop" : finish);
    } else {
      emit("response.function_call_arguments.done", located(false).put("arguments", text));
      done = openItem.put("arguments", text);
    }
    itemDone(done);
  }

  /** {@code output_item.added} of the item about to be the next in the output. */
  private void itemAdded(ObjectNode item) {
    emit("response.output_item.added", NODES.objectNode().put("output_index", output.size()).set("item", item));
  }

  /** {@code output_item.done} of {@code item}, the output's next; no item is open after it. */
  private void itemDone(ObjectNode item) {
    emit("response.output_item.done", NODES.objectNode().put("output_index", output.size()).set("item", item));
    output.add(item);
    openItem = null;
    openCall = -1;
    openText.setLength(0);
  }

  /** Where an item event belongs: the open item's id and index, and for text its content part. */
  private ObjectNode located(boolean contentPart) {
    ObjectNode where = NODES.objectNode().put("item_id", openItem.path("id").asText())
        .put("output_index", output.size());
    return contentPart ? where.put("content_index", 0) : where;
  }

  /** Where a summary event belongs: the open reasoning item's id and index, its one summary part. */
  private ObjectNode summaryPart() {
    return NODES.objectNode().put("item_id", openItem.path("id").asText()).put("output_index", output.size())
        .put("summary_index", 0);
  }

  private static ObjectNode summaryText(String text) {
    return NODES.objectNode().put("type", "summary_text").put("text", text);
  }

  @Override
  boolean stopped() {
    return finish != null;
  }

  @Override
  void complete() {
    if (responseId == null) {
      start(NODES.objectNode());
    }
    closeItem();
    String status = ChatToResponse.status(finish);
    ObjectNode response = ChatToResponse.envelope(responseId, createdAt, model, status, output,
        ChatToResponse.usage(usage), finish);
    emit(status.equals("incomplete") ? "response.incomplete" : "response.completed",
        NODES.objectNode().set("response", response));
    end();
  }

  @Override
  void fail(String anthropicType, String message) {
    error(new GatewayError(500, anthropicType, message).toOpenAiJson().getJsonObject("error").getString("type"),
        message);
  }

  /** The Responses API's {@code error} event, which ends the stream. */
  private void error(String code, String message) {
    emit("error", NODES.objectNode().put("code", code).put("message", message).putNull("param"));
    end();
  }

  private void emit(String type, ObjectNode fields) {
    ObjectNode event = NODES.objectNode().put("type", type).put("sequence_number", sequence++);
    event.setAll(fields);
    emit("event: " + type + "\ndata: " + event + "\n\n");
  }
}
