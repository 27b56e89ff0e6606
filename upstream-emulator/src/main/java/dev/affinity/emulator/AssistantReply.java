package dev.affinity.emulator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The assistant's answer: deterministic filler words (one word = one output token), or a {@code tool_use} block when
 * the request forces a tool or a test's directive asks for one ({@link ToolDirective}); with extended thinking on, a
 * signed {@code thinking} block of filler words first. The same prompt always gets the same text.
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
  private final List<String> thinkingPieces;
  private final List<String> textPieces;
  private final JsonObject toolUse;
  private final String stopReason;
  private final long outputTokens;

  private AssistantReply(String model, List<String> thinkingPieces, List<String> textPieces, JsonObject toolUse,
      String stopReason, long outputTokens) {
    this.id = AnthropicIds.message();
    this.model = model;
    this.thinkingPieces = thinkingPieces;
    this.textPieces = textPieces;
    this.toolUse = toolUse;
    this.stopReason = stopReason;
    this.outputTokens = outputTokens;
  }

  /**
   * Thinking, when on, takes {@code min(budget, defaultOutputTokens)} tokens of {@code max_tokens} first (max_tokens
   * bounds thinking and text together, as upstream); the text takes {@code defaultOutputTokens} of what is left.
   */
  static AssistantReply compose(MessagesRequest request, int defaultOutputTokens) {
    if (request.forcedTool() != null) {
      JsonObject tool = request.forcedTool();
      JsonObject toolUse = toolUse(tool.getValue("name"), sampleObject(tool.getJsonObject("input_schema",
          new JsonObject())));
      return new AssistantReply(request.model(), List.of(), List.of(), toolUse, "tool_use",
          Math.min(request.maxTokens(), defaultOutputTokens));
    }
    String fingerprint = request.layout().fingerprint();
    int thinkingTokens = Math.min(Math.min(request.thinkingBudget(), defaultOutputTokens), request.maxTokens());
    int textTokens = Math.min(request.maxTokens() - thinkingTokens, defaultOutputTokens);
    // the thinking starts elsewhere in the word list than the text, so that the two do not read alike
    List<String> thinking = fillerPieces(fingerprint, WORDS.length / 2, thinkingTokens);
    ToolDirective directed = request.directedTool();
    if (directed != null) {
      // the model chose the tool: it may think first, as it may before any answer
      return new AssistantReply(request.model(), thinking, List.of(), toolUse(directed.name(), directed.input().copy()),
          "tool_use", thinkingTokens + textTokens);
    }
    List<String> text = fillerPieces(fingerprint, 0, textTokens);
    String stopReason = textTokens < defaultOutputTokens ? "max_tokens" : "end_turn";
    return new AssistantReply(request.model(), thinking, text, null, stopReason, thinkingTokens + textTokens);
  }

  private static JsonObject toolUse(Object name, JsonObject input) {
    return new JsonObject().put("type", "tool_use").put("id", AnthropicIds.toolUse()).put("name", name)
        .put("input", input);
  }

  /**
   * {@code tokens} filler words, one per output token, the first capitalised and the others with a leading space;
   * where the words start depends on the prompt's fingerprint (a hex hash), so the same prompt gets the same text.
   */
  static List<String> fillerPieces(String fingerprint, int tokens) {
    return fillerPieces(fingerprint, 0, tokens);
  }

  static List<String> fillerPieces(String fingerprint, int offset, int tokens) {
    int start = (fingerprint.isEmpty() ? 0 : Integer.parseInt(fingerprint.substring(0, 4), 16)) + offset;
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
    JsonArray content = new JsonArray();
    if (!thinkingPieces.isEmpty()) {
      String thinking = String.join("", thinkingPieces);
      content.add(new JsonObject().put("type", "thinking").put("thinking", thinking)
          .put("signature", ThinkingSignature.of(thinking)));
    }
    if (toolUse != null) {
      content.add(toolUse.copy());
    } else if (!textPieces.isEmpty()) {
      content.add(new JsonObject().put("type", "text").put("text", String.join("", textPieces)));
    }
    return envelope(usage).put("content", content).put("stop_reason", stopReason);
  }

  /**
   * The streamed answer as SSE events in the order the real API sends them: each block's start, its deltas (a
   * thinking block's signature last, in a {@code signature_delta}) and its stop, with one {@code ping} after the
   * first start.
   */
  List<ServerSentEvent> events(Usage usage) {
    List<ServerSentEvent> events = new ArrayList<>();
    events.add(new ServerSentEvent("message_start", new JsonObject().put("type", "message_start")
        .put("message", envelope(usage.withOutputTokens(1))),
        false));
    int index = 0;
    if (!thinkingPieces.isEmpty()) {
      block(events, index++, new JsonObject().put("type", "thinking").put("thinking", "").put("signature", ""),
          pieceDeltas(thinkingPieces, "thinking_delta", "thinking"), new JsonObject().put("type", "signature_delta")
              .put("signature", ThinkingSignature.of(String.join("", thinkingPieces))));
    }
    if (toolUse != null) {
      block(events, index, toolUse.copy().put("input", new JsonObject()), toolInputDeltas(), null);
    } else if (!textPieces.isEmpty()) {
      block(events, index, new JsonObject().put("type", "text").put("text", ""),
          pieceDeltas(textPieces, "text_delta", "text"), null);
    }
    JsonObject finalUsage = usage.withOutputTokens(outputTokens).toJson();
    finalUsage.remove("service_tier");
    events.add(new ServerSentEvent("message_delta", new JsonObject().put("type", "message_delta")
        .put("delta", new JsonObject().put("stop_reason", stopReason).putNull("stop_sequence"))
        .put("usage", finalUsage), false));
    events.add(new ServerSentEvent("message_stop", new JsonObject().put("type", "message_stop"), false));
    return events;
  }

  /** One delta of {@code type} per piece, the piece in {@code field}: one per output token. */
  private static List<JsonObject> pieceDeltas(List<String> pieces, String type, String field) {
    List<JsonObject> deltas = new ArrayList<>(pieces.size());
    for (String piece : pieces) {
      deltas.add(new JsonObject().put("type", type).put(field, piece));
    }
    return deltas;
  }

  /** One content block's events; the token-carrying deltas are paced, a closing unpaced delta may follow. */
  private static void block(List<ServerSentEvent> events, int index, JsonObject start, List<JsonObject> deltas,
      JsonObject closingDelta) {
    events.add(new ServerSentEvent("content_block_start",
        new JsonObject().put("type", "content_block_start").put("index", index).put("content_block", start), false));
    if (index == 0) {
      events.add(new ServerSentEvent("ping", new JsonObject().put("type", "ping"), false));
    }
    for (JsonObject delta : deltas) {
      events.add(new ServerSentEvent("content_block_delta",
          new JsonObject().put("type", "content_block_delta").put("index", index).put("delta", delta), true));
    }
    if (closingDelta != null) {
      events.add(new ServerSentEvent("content_block_delta",
          new JsonObject().put("type", "content_block_delta").put("index", index).put("delta", closingDelta), false));
    }
    events.add(new ServerSentEvent("content_block_stop",
        new JsonObject().put("type", "content_block_stop").put("index", index), false));
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

  /** Like the real API: an empty first piece, then the input JSON in a few raw slices. */
  private List<JsonObject> toolInputDeltas() {
    List<JsonObject> deltas = new ArrayList<>();
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
