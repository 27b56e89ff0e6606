package dev.affinity.emulator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The assistant's answer: deterministic filler words (one word = one output token), or a {@code tool_use} block when
 * the request forces a tool. The same prompt always gets the same text.
 */
final class AssistantReply {

  private static final String[] WORDS = {
    "lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed", "do", "eiusmod",
    "tempor", "incididunt", "ut", "labore", "et", "dolore", "magna", "aliqua", "enim", "ad", "minim", "veniam",
    "quis", "nostrud", "exercitation", "ullamco", "laboris", "nisi", "aliquip", "ex", "ea", "commodo", "consequat"
  };
  /** The tool input streams in this many {@code input_json_delta} pieces at most. */
  private static final int INPUT_JSON_PIECES = 4;

  private final String id;
  private final String model;
  private final List<String> textPieces;
  private final JsonObject toolUse;
  private final String stopReason;
  private final long outputTokens;

  private AssistantReply(String model, List<String> textPieces, JsonObject toolUse, String stopReason,
      long outputTokens) {
    this.id = AnthropicIds.message();
    this.model = model;
    this.textPieces = textPieces;
    this.toolUse = toolUse;
    this.stopReason = stopReason;
    this.outputTokens = outputTokens;
  }

  static AssistantReply compose(MessagesRequest request, int defaultOutputTokens) {
    int tokens = Math.min(request.maxTokens(), defaultOutputTokens);
    if (request.forcedTool() != null) {
      JsonObject tool = request.forcedTool();
      JsonObject toolUse = new JsonObject()
          .put("type", "tool_use")
          .put("id", AnthropicIds.toolUse())
          .put("name", tool.getValue("name"))
          .put("input", sampleObject(tool.getJsonObject("input_schema", new JsonObject())));
      return new AssistantReply(request.model(), List.of(), toolUse, "tool_use", tokens);
    }
    List<String> pieces = fillerPieces(request.layout().fingerprint(), tokens);
    String stopReason = request.maxTokens() < defaultOutputTokens ? "max_tokens" : "end_turn";
    return new AssistantReply(request.model(), pieces, null, stopReason, tokens);
  }

  /**
   * {@code tokens} filler words, one per output token, the first capitalised and the others with a leading space;
   * where the words start depends on the prompt's fingerprint (a hex hash), so the same prompt gets the same text.
   */
  static List<String> fillerPieces(String fingerprint, int tokens) {
    int start = fingerprint.isEmpty() ? 0 : Integer.parseInt(fingerprint.substring(0, 4), 16);
    List<String> pieces = new ArrayList<>(tokens);
    for (int i = 0; i < tokens; i++) {
      String word = WORDS[(start + i) % WORDS.length];
      pieces.add(i == 0 ? Character.toUpperCase(word.charAt(0)) + word.substring(1) : " " + word);
    }
    return pieces;
  }

  long outputTokens() {
    return outputTokens;
  }

  /** The complete non-streaming answer. */
  JsonObject message(Usage usage) {
    return envelope(usage).put("content", new JsonArray().add(completeBlock())).put("stop_reason", stopReason);
  }

  /** The streamed answer as SSE events in the order the real API sends them. */
  List<ServerSentEvent> events(Usage usage) {
    List<ServerSentEvent> events = new ArrayList<>();
    events.add(new ServerSentEvent("message_start", new JsonObject().put("type", "message_start")
        .put("message", envelope(usage.withOutputTokens(1))),
        false));
    JsonObject start = toolUse != null ? toolUse.copy().put("input", new JsonObject())
        : new JsonObject().put("type", "text").put("text", "");
    events.add(new ServerSentEvent("content_block_start",
        new JsonObject().put("type", "content_block_start").put("index", 0).put("content_block", start), false));
    events.add(new ServerSentEvent("ping", new JsonObject().put("type", "ping"), false));
    for (JsonObject delta : deltas()) {
      events.add(new ServerSentEvent("content_block_delta",
          new JsonObject().put("type", "content_block_delta").put("index", 0).put("delta", delta), true));
    }
    events.add(new ServerSentEvent("content_block_stop",
        new JsonObject().put("type", "content_block_stop").put("index", 0), false));
    JsonObject finalUsage = usage.withOutputTokens(outputTokens).toJson();
    finalUsage.remove("service_tier");
    events.add(new ServerSentEvent("message_delta", new JsonObject().put("type", "message_delta")
        .put("delta", new JsonObject().put("stop_reason", stopReason).putNull("stop_sequence"))
        .put("usage", finalUsage), false));
    events.add(new ServerSentEvent("message_stop", new JsonObject().put("type", "message_stop"), false));
    return events;
  }

  private JsonObject envelope(Usage usage) {
    return new JsonObject()
        .put("id", id)
        .put("type", "message")
        .put("role", "assistant")
        .put("model", model)
        .put("content", new JsonArray())
        .putNull("stop_reason")
        .putNull("stop_sequence")
        .put("usage", usage.toJson());
  }

  private JsonObject completeBlock() {
    return toolUse != null
        ? toolUse.copy()
        : new JsonObject().put("type", "text").put("text", String.join("", textPieces));
  }

  private List<JsonObject> deltas() {
    List<JsonObject> deltas = new ArrayList<>();
    if (toolUse == null) {
      for (String piece : textPieces) {
        deltas.add(new JsonObject().put("type", "text_delta").put("text", piece));
      }
      return deltas;
    }
    // Like the real API: an empty first piece, then the input JSON in a few raw slices.
    deltas.add(inputJsonDelta(""));
    String json = toolUse.getJsonObject("input").encode();
    int step = Math.max(1, (json.length() + INPUT_JSON_PIECES - 1) / INPUT_JSON_PIECES);
    for (int from = 0; from < json.length(); from += step) {
      deltas.add(inputJsonDelta(json.substring(from, Math.min(json.length(), from + step))));
    }
    return deltas;
  }

  private static JsonObject inputJsonDelta(String partial) {
    return new JsonObject().put("type", "input_json_delta").put("partial_json", partial);
  }

  /** An input that satisfies the schema's required properties, with the simplest value of each type. */
  static JsonObject sampleObject(JsonObject schema) {
    JsonObject input = new JsonObject();
    JsonObject properties = schema.getValue("properties") instanceof JsonObject p ? p : new JsonObject();
    JsonArray required = schema.getValue("required") instanceof JsonArray r ? r : new JsonArray();
    for (Object name : required) {
      Object property = properties.getValue(String.valueOf(name));
      input.put(String.valueOf(name), sampleValue(property instanceof JsonObject p ? p : new JsonObject()));
    }
    return input;
  }

  private static Object sampleValue(JsonObject schema) {
    if (schema.getValue("enum") instanceof JsonArray choices && !choices.isEmpty()) {
      return choices.getValue(0);
    }
    if (schema.getValue("const") != null) {
      return schema.getValue("const");
    }
    String type = schema.getValue("type") instanceof String t ? t : null;
    if (schema.getValue("type") instanceof JsonArray types) {
      for (Object candidate : types) {
        if (!"null".equals(candidate)) {
          type = String.valueOf(candidate);
          break;
        }
      }
    }
    if (type == null) {
      return "lorem";
    }
    return switch (type) {
      case "integer", "number" -> 1;
      case "boolean" -> true;
      case "array" -> new JsonArray();
      case "object" -> sampleObject(schema);
      case "null" -> null;
      default -> "lorem";
    };
  }
}
