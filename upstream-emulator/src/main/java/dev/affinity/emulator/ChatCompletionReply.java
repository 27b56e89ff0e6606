package dev.affinity.emulator;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The assistant's Chat Completions answer: the same deterministic filler words as {@link AssistantReply} (one word =
 * one completion token), or one tool call when {@code tool_choice} forces a function or a test's directive asks for
 * one ({@link ToolDirective}).
 *
 * <p>{@code finish_reason} follows what OpenAI really sends: {@code length} when the token cap cut the answer,
 * {@code tool_calls} for {@code tool_choice: "required"} and for a call the model chose, but {@code stop} when
 * {@code tool_choice} named the function (observed upstream behaviour, streaming or not).
 */
final class ChatCompletionReply {

  /** The tool call's arguments stream in this many pieces at most. */
  private static final int ARGUMENT_PIECES = 4;

  /** One server-sent event of a streamed answer: {@code data: ...}, without an event name. */
  record Chunk(String data, boolean paced) implements PacedAnswer.PacedEvent {

    /** The stream's terminator. */
    static final Chunk DONE = new Chunk("[DONE]", false);

    @Override
    public Buffer toBuffer() {
      return Buffer.buffer("data: " + data + "\n\n");
    }
  }

  private final String id;
  private final long created;
  private final String model;
  private final List<String> textPieces;
  private final JsonObject toolCall;
  private final String finishReason;
  private final long completionTokens;

  private ChatCompletionReply(long created, String model, List<String> textPieces, JsonObject toolCall,
      String finishReason, long completionTokens) {
    this.id = OpenAiIds.completion();
    this.created = created;
    this.model = model;
    this.textPieces = textPieces;
    this.toolCall = toolCall;
    this.finishReason = finishReason;
    this.completionTokens = completionTokens;
  }

  /** @param created the answer's {@code created}, in epoch seconds */
  static ChatCompletionReply compose(ChatCompletionRequest request, int defaultOutputTokens, long created) {
    int tokens = Math.min(request.maxOutputTokens(), defaultOutputTokens);
    JsonObject function = request.forcedTool();
    if (function != null) {
      JsonObject parameters = function.getValue("parameters") instanceof JsonObject schema ? schema : new JsonObject();
      JsonObject call = toolCall(function.getValue("name"), AssistantReply.sampleObject(parameters));
      return new ChatCompletionReply(created, request.model(), List.of(), call,
          request.namedTool() ? "stop" : "tool_calls", tokens);
    }
    ToolDirective directed = request.directedTool();
    if (directed != null) {
      return new ChatCompletionReply(created, request.model(), List.of(), toolCall(directed.name(), directed.input()),
          "tool_calls", tokens);
    }
    List<String> pieces = AssistantReply.fillerPieces(request.prompt().fingerprint(), tokens);
    String finishReason = request.maxOutputTokens() < defaultOutputTokens ? "length" : "stop";
    return new ChatCompletionReply(created, request.model(), pieces, null, finishReason, tokens);
  }

  /** One entry of {@code tool_calls}: its arguments are the input's JSON text, as OpenAI sends them. */
  private static JsonObject toolCall(Object name, JsonObject input) {
    return new JsonObject()
        .put("id", OpenAiIds.toolCall())
        .put("type", "function")
        .put("function", new JsonObject().put("name", name).put("arguments", input.encode()));
  }

  long completionTokens() {
    return completionTokens;
  }

  /** The complete non-streaming answer, {@code object: "chat.completion"}. */
  JsonObject completion(OpenAiUsage usage) {
    JsonObject message = new JsonObject().put("role", "assistant");
    if (toolCall != null) {
      message.putNull("content").put("tool_calls", new JsonArray().add(toolCall.copy()));
    } else {
      message.put("content", String.join("", textPieces));
    }
    message.putNull("refusal").put("annotations", new JsonArray());
    JsonObject choice = new JsonObject()
        .put("index", 0)
        .put("message", message)
        .putNull("logprobs")
        .put("finish_reason", finishReason);
    return envelope("chat.completion")
        .put("choices", new JsonArray().add(choice))
        .put("usage", usage.toJson())
        .put("service_tier", "default")
        .put("system_fingerprint", OpenAiIds.systemFingerprint(model));
  }

  /**
   * The streamed answer, in OpenAI's order: a first chunk with the role, one chunk per completion token (or
   * argument piece), a chunk with the {@code finish_reason}, then, with {@code include_usage}, a chunk with no
   * choices and the usage (every other chunk then carries {@code "usage": null}), and {@code [DONE]}.
   */
  List<Chunk> chunks(OpenAiUsage usage, boolean includeUsage) {
    List<Chunk> chunks = new ArrayList<>();
    JsonObject first = new JsonObject().put("role", "assistant");
    if (toolCall != null) {
      JsonObject opening = toolCall.copy().put("index", 0);
      opening.getJsonObject("function").put("arguments", "");
      first.putNull("content").put("tool_calls", new JsonArray().add(opening));
    } else {
      first.put("content", "");
    }
    first.putNull("refusal");
    chunks.add(chunk(first, null, includeUsage, false));
    for (JsonObject delta : deltas()) {
      chunks.add(chunk(delta, null, includeUsage, true));
    }
    chunks.add(chunk(new JsonObject(), finishReason, includeUsage, false));
    if (includeUsage) {
      JsonObject last = envelope("chat.completion.chunk")
          .put("service_tier", "default")
          .put("system_fingerprint", OpenAiIds.systemFingerprint(model))
          .put("choices", new JsonArray())
          .put("usage", usage.toJson());
      chunks.add(new Chunk(last.encode(), false));
    }
    chunks.add(Chunk.DONE);
    return chunks;
  }

  private List<JsonObject> deltas() {
    List<JsonObject> deltas = new ArrayList<>();
    if (toolCall == null) {
      for (String piece : textPieces) {
        deltas.add(new JsonObject().put("content", piece));
      }
      return deltas;
    }
    String arguments = toolCall.getJsonObject("function").getString("arguments");
    int step = Math.max(1, (arguments.length() + ARGUMENT_PIECES - 1) / ARGUMENT_PIECES);
    for (int from = 0; from < arguments.length(); from += step) {
      String piece = arguments.substring(from, Math.min(arguments.length(), from + step));
      deltas.add(new JsonObject().put("tool_calls", new JsonArray().add(new JsonObject()
          .put("index", 0)
          .put("function", new JsonObject().put("arguments", piece)))));
    }
    return deltas;
  }

  private Chunk chunk(JsonObject delta, String finish, boolean includeUsage, boolean paced) {
    JsonObject choice = new JsonObject()
        .put("index", 0)
        .put("delta", delta)
        .putNull("logprobs")
        .put("finish_reason", finish);
    JsonObject chunk = envelope("chat.completion.chunk")
        .put("service_tier", "default")
        .put("system_fingerprint", OpenAiIds.systemFingerprint(model))
        .put("choices", new JsonArray().add(choice));
    if (includeUsage) {
      chunk.putNull("usage");
    }
    return new Chunk(chunk.encode(), paced);
  }

  private JsonObject envelope(String object) {
    return new JsonObject()
        .put("id", id)
        .put("object", object)
        .put("created", created)
        .put("model", model);
  }
}
