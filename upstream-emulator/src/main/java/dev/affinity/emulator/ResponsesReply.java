package dev.affinity.emulator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The model's Responses API answer: one {@code message} output item of filler words (one word = one output token, as
 * {@link ChatCompletionReply}), or one {@code function_call} item when {@code tool_choice} forces a function or a
 * test's directive in the conversation asks for one ({@link ToolDirective}); with a reasoning effort, a
 * {@code reasoning} item first (filler words counted as reasoning tokens, its summary when asked for, an opaque
 * {@code encrypted_content} when included, as OpenAI's reasoning models answer). A text
 * answer cut by {@code max_output_tokens} is {@code incomplete}, with {@code incomplete_details.reason}
 * {@code max_output_tokens}, as OpenAI reports it.
 */
final class ResponsesReply {

  /** A function call's arguments stream in this many pieces at most. */
  private static final int ARGUMENT_PIECES = 4;
  /** How many events a background stream sends before its first token: {@code response.created} and {@code .queued}. */
  static final int QUEUED_EVENTS = 2;

  private final String id;
  private final long createdAt;
  private final ResponsesRequest request;
  private final String itemId;
  private final List<String> textPieces;
  private final JsonObject functionCall;
  private final boolean incomplete;
  private final long outputTokens;
  /** The reasoning item as it ends, or null when the model did not reason; then the answer's item is at index 1. */
  private final JsonObject reasoning;
  private final List<String> reasoningPieces;

  private ResponsesReply(long createdAt, ResponsesRequest request, Thought thought, List<String> textPieces,
      JsonObject functionCall, boolean incomplete, long answerTokens) {
    this.reasoning = thought.item();
    this.reasoningPieces = thought.pieces();
    this.outputTokens = answerTokens + thought.pieces().size();
    this.id = OpenAiIds.response();
    this.createdAt = createdAt;
    this.request = request;
    this.itemId = functionCall == null ? OpenAiIds.outputMessage() : functionCall.getString("id");
    this.textPieces = textPieces;
    this.functionCall = functionCall;
    this.incomplete = incomplete;
  }

  /** What the model reasoned before answering: its item (null for none) and its words, one per reasoning token. */
  private record Thought(JsonObject item, List<String> pieces) {

    static final Thought NONE = new Thought(null, List.of());

    static Thought of(ResponsesRequest request, ChatPrompt prompt, int tokens) {
      if (!request.reasoning().reasons() || tokens <= 0) {
        return NONE;
      }
      // elsewhere in the word list than the answer, so that the two do not read alike
      List<String> pieces = AssistantReply.fillerPieces(prompt.fingerprint(), 17, tokens);
      JsonArray summary = new JsonArray();
      if (request.reasoning().summarized()) {
        summary.add(new JsonObject().put("type", "summary_text").put("text", String.join("", pieces)));
      }
      JsonObject item = new JsonObject().put("id", OpenAiIds.reasoningItem()).put("type", "reasoning")
          .put("summary", summary);
      if (request.reasoning().encrypted()) {
        // opaque to the client, as OpenAI's is; the emulator reads a handed-back item as prompt, never decrypts it
        item.put("encrypted_content", "gAAAAA" + Base64.getEncoder().encodeToString(
            String.join("", pieces).getBytes(StandardCharsets.UTF_8)));
      }
      return new Thought(item, pieces);
    }
  }

  /**
   * @param prompt       the prompt answered (its fingerprint makes the text)
   * @param conversation the items the model reads (the stored conversation continued, then the request's input)
   * @param createdAt    the answer's {@code created_at}, in epoch seconds
   */
  static ResponsesReply compose(ResponsesRequest request, ChatPrompt prompt, List<JsonObject> conversation,
      int defaultOutputTokens, long createdAt) {
    // max_output_tokens bounds reasoning and answer together, as OpenAI's does
    Thought thought = Thought.of(request, prompt, Math.min(request.maxOutputTokens(), defaultOutputTokens));
    int tokens = Math.min(request.maxOutputTokens() - thought.pieces().size(), defaultOutputTokens);
    JsonObject function = request.forcedTool();
    if (function != null) {
      JsonObject parameters = function.getValue("parameters") instanceof JsonObject schema ? schema : new JsonObject();
      JsonObject call = functionCall(function.getValue("name"), AssistantReply.sampleObject(parameters));
      return new ResponsesReply(createdAt, request, thought, List.of(), call, false, tokens);
    }
    ToolDirective directed = ToolDirective.next(new JsonArray(new ArrayList<>(conversation)),
        name -> ResponsesRequest.offers(request.tools(), name));
    if (directed != null) {
      return new ResponsesReply(createdAt, request, thought, List.of(), functionCall(directed.name(),
          directed.input()), false, tokens);
    }
    List<String> pieces = AssistantReply.fillerPieces(prompt.fingerprint(), tokens);
    return new ResponsesReply(createdAt, request, thought, pieces, null, tokens < defaultOutputTokens, tokens);
  }

  private static JsonObject functionCall(Object name, JsonObject arguments) {
    return new JsonObject()
        .put("id", OpenAiIds.functionCallItem())
        .put("type", "function_call")
        .put("status", "completed")
        .put("arguments", arguments.encode())
        .put("call_id", OpenAiIds.toolCall())
        .put("name", name);
  }

  String id() {
    return id;
  }

  long outputTokens() {
    return outputTokens;
  }

  /** The output items, as the answer and the stored conversation hold them. */
  List<JsonObject> output() {
    return reasoning == null ? List.of(finalItem()) : List.of(reasoning.copy(), finalItem());
  }

  /** A background response before its answer ({@code queued}, then {@code in_progress}): no output, no usage yet. */
  JsonObject pending(String status) {
    return envelope(status).put("output", new JsonArray()).putNull("usage");
  }

  /** The complete response object. */
  JsonObject response(OpenAiUsage usage) {
    JsonObject response = envelope(incomplete ? "incomplete" : "completed")
        .put("output", new JsonArray(new ArrayList<>(output())))
        .put("usage", usage(usage));
    if (incomplete) {
      response.put("incomplete_details", new JsonObject().put("reason", "max_output_tokens"));
    }
    return response;
  }

  /**
   * The streamed answer, in OpenAI's order, each event with its {@code type} and {@code sequence_number}:
   * {@code response.created} (a background response's {@code queued}, then {@code response.queued}; see
   * {@link #QUEUED_EVENTS}), {@code response.in_progress}, {@code response.output_item.added}, then for text
   * {@code response.content_part.added}, one {@code response.output_text.delta} per output token,
   * {@code response.output_text.done}, {@code response.content_part.done} (for a function call,
   * {@code response.function_call_arguments.delta}s and {@code .done}), {@code response.output_item.done}, and
   * {@code response.completed} (or {@code response.incomplete}).
   */
  List<ServerSentEvent> events(OpenAiUsage usage) {
    Events events = new Events();
    JsonObject opening = envelope("in_progress").put("output", new JsonArray()).putNull("usage");
    if (request.background()) {
      JsonObject queued = pending("queued");
      events.add("response.created", new JsonObject().put("response", queued), false);
      events.add("response.queued", new JsonObject().put("response", queued.copy()), false);
    } else {
      events.add("response.created", new JsonObject().put("response", opening.copy()), false);
    }
    events.add("response.in_progress", new JsonObject().put("response", opening), false);
    if (reasoning != null) {
      reasoningEvents(events);
    }
    int index = answerIndex();
    if (functionCall != null) {
      JsonObject started = functionCall.copy().put("status", "in_progress").put("arguments", "");
      events.add("response.output_item.added", new JsonObject().put("output_index", index).put("item", started),
          false);
      String arguments = functionCall.getString("arguments");
      int step = Math.max(1, (arguments.length() + ARGUMENT_PIECES - 1) / ARGUMENT_PIECES);
      for (int from = 0; from < arguments.length(); from += step) {
        events.add("response.function_call_arguments.delta", located(false)
            .put("delta", arguments.substring(from, Math.min(arguments.length(), from + step))), true);
      }
      events.add("response.function_call_arguments.done", located(false).put("arguments", arguments), false);
    } else {
      JsonObject started = messageItem("in_progress", new JsonArray());
      events.add("response.output_item.added", new JsonObject().put("output_index", index).put("item", started),
          false);
      events.add("response.content_part.added", located(true).put("part", textPart("")), false);
      for (String piece : textPieces) {
        events.add("response.output_text.delta", located(true).put("delta", piece).put("logprobs", new JsonArray()),
            true);
      }
      String text = String.join("", textPieces);
      events.add("response.output_text.done", located(true).put("text", text).put("logprobs", new JsonArray()),
          false);
      events.add("response.content_part.done", located(true).put("part", textPart(text)), false);
    }
    events.add("response.output_item.done", new JsonObject().put("output_index", index).put("item", finalItem()),
        false);
    events.add(incomplete ? "response.incomplete" : "response.completed",
        new JsonObject().put("response", response(usage)), false);
    return events.list;
  }

  /** The events of one stream, numbered in order. */
  private static final class Events {
    private final List<ServerSentEvent> list = new ArrayList<>();

    void add(String type, JsonObject fields, boolean paced) {
      JsonObject data = new JsonObject().put("type", type).put("sequence_number", list.size());
      data.mergeIn(fields);
      list.add(new ServerSentEvent(type, data, paced));
    }
  }

  /**
   * The reasoning item's events, at index 0: added (no summary yet), its summary streamed when asked for (one part,
   * a {@code reasoning_summary_text.delta} per reasoning token), done.
   */
  private void reasoningEvents(Events events) {
    String itemId = reasoning.getString("id");
    JsonObject started = reasoning.copy().put("summary", new JsonArray());
    started.remove("encrypted_content");
    events.add("response.output_item.added", new JsonObject().put("output_index", 0).put("item", started), false);
    if (!reasoning.getJsonArray("summary").isEmpty()) {
      JsonObject where = new JsonObject().put("item_id", itemId).put("output_index", 0).put("summary_index", 0);
      events.add("response.reasoning_summary_part.added", where.copy().put("part", summaryPart("")), false);
      for (String piece : reasoningPieces) {
        events.add("response.reasoning_summary_text.delta", where.copy().put("delta", piece), true);
      }
      String text = String.join("", reasoningPieces);
      events.add("response.reasoning_summary_text.done", where.copy().put("text", text), false);
      events.add("response.reasoning_summary_part.done", where.copy().put("part", summaryPart(text)), false);
    }
    events.add("response.output_item.done", new JsonObject().put("output_index", 0).put("item", reasoning.copy()),
        false);
  }

  private static JsonObject summaryPart(String text) {
    return new JsonObject().put("type", "summary_text").put("text", text);
  }

  /** Where the answer's own item (message or function call) stands in the output: after the reasoning, if any. */
  private int answerIndex() {
    return reasoning == null ? 0 : 1;
  }

  private JsonObject located(boolean content) {
    JsonObject where = new JsonObject().put("item_id", itemId).put("output_index", answerIndex());
    return content ? where.put("content_index", 0) : where;
  }

  private JsonObject finalItem() {
    if (functionCall != null) {
      return functionCall.copy();
    }
    return messageItem(incomplete ? "incomplete" : "completed",
        new JsonArray().add(textPart(String.join("", textPieces))));
  }

  private JsonObject messageItem(String status, JsonArray content) {
    return new JsonObject().put("id", itemId).put("type", "message").put("status", status).put("content", content)
        .put("role", "assistant");
  }

  private static JsonObject textPart(String text) {
    return new JsonObject().put("type", "output_text").put("annotations", new JsonArray()).put("logprobs",
        new JsonArray()).put("text", text);
  }

  private JsonObject usage(OpenAiUsage usage) {
    return new JsonObject()
        .put("input_tokens", usage.promptTokens())
        .put("input_tokens_details", new JsonObject().put("cached_tokens", usage.cachedTokens()))
        .put("output_tokens", usage.completionTokens())
        .put("output_tokens_details", new JsonObject().put("reasoning_tokens", reasoningPieces.size()))
        .put("total_tokens", usage.promptTokens() + usage.completionTokens());
  }

  /** The response object's fields, as OpenAI sends them (the request's settings echoed, defaults otherwise). */
  private JsonObject envelope(String status) {
    JsonObject response = new JsonObject()
        .put("id", id)
        .put("object", "response")
        .put("created_at", createdAt)
        .put("status", status)
        .put("background", request.background())
        .putNull("error")
        .putNull("incomplete_details")
        .put("instructions", request.instructions())
        .put("max_output_tokens", request.maxOutputTokens() == Integer.MAX_VALUE ? null : request.maxOutputTokens())
        .put("model", request.model())
        .put("parallel_tool_calls", true)
        .put("previous_response_id", request.previousResponseId())
        .put("prompt_cache_key", request.cacheKey())
        .put("reasoning", new JsonObject().put("effort", request.reasoning().effort())
            .put("summary", request.reasoning().summary()))
        .put("service_tier", "default")
        .put("store", request.store())
        .put("temperature", 1.0)
        .put("text", new JsonObject().put("format", new JsonObject().put("type", "text")))
        .put("tool_choice", request.toolChoice() == null ? "auto" : request.toolChoice())
        .put("tools", request.tools() == null ? new JsonArray() : request.tools().copy())
        .put("top_p", 1.0)
        .put("truncation", "disabled")
        .putNull("user")
        .put("metadata", new JsonObject());
    return response;
  }
}
