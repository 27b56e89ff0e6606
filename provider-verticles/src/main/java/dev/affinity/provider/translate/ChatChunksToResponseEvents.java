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
 * next opens: each of Claude's thinking blocks as a {@code reasoning} item ({@code output_item.added} and
 * {@code .done}, see {@link ChatToResponse#reasoningItem}), text as a {@code message} item
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
  /** The chat tool-call index of the open function call item, -1 for the open message item or none. */
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

  /** A whole thinking block (the chunk stream sends each once it is over) as a reasoning item, added and done. */
  private void reasoning(JsonNode thinking) {
    closeItem();
    ObjectNode item = ChatToResponse.reasoningItem(responseId, output.size(), thinking);
    ObjectNode opening = item.deepCopy();
    opening.putArray("summary");
    opening.remove("encrypted_content");
    emit("response.output_item.added", NODES.objectNode().put("output_index", output.size()).set("item", opening));
    emit("response.output_item.done", NODES.objectNode().put("output_index", output.size()).set("item", item));
    output.add(item);
  }

  private void openMessage() {
    closeItem();
    openItem = ChatToResponse.messageItem(responseId, output.size(), null, null);
    openCall = -1;
    emit("response.output_item.added", NODES.objectNode().put("output_index", output.size())
        .set("item", openItem.deepCopy()));
    emit("response.content_part.added", located(true).set("part", ChatToResponse.textPart("")));
  }

  private void openCall(int index, String callId, String name) {
    closeItem();
    openItem = ChatToResponse.functionCall(callId, name, "");
    openCall = index;
    emit("response.output_item.added", NODES.objectNode().put("output_index", output.size())
        .set("item", openItem.deepCopy().put("status", "in_progress")));
  }

  /** Closes the open item, if any: its done events, and its final form in the output. */
  private void closeItem() {
    if (openItem == null) {
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
    emit("response.output_item.done", NODES.objectNode().put("output_index", output.size()).set("item", done));
    output.add(done);
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
