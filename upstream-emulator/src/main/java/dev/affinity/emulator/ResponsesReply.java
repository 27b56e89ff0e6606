package dev.affinity.emulator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The model's Responses API answer: one {@code message} output item of filler words (one word = one output token, as
 * {@link ChatCompletionReply}), or one {@code function_call} item when {@code tool_choice} forces a function or a
 * test's directive in the conversation asks for one ({@link ToolDirective}). A text
 * answer cut by {@code max_output_tokens} is {@code incomplete}, with {@code incomplete_details.reason}
 * {@code max_output_tokens}, as OpenAI reports it.
 */
final class ResponsesReply {

  /** A function call's arguments stream in this many pieces at most. */
  private static final int ARGUMENT_PIECES = 4;

  private final String id;
  private final long createdAt;
  private final ResponsesRequest request;
  private final String itemId;
  private final List<String> textPieces;
  private final JsonObject functionCall;
  private final boolean incomplete;
  private final long outputTokens;

  private ResponsesReply(long createdAt, ResponsesRequest request, List<String> textPieces, JsonObject functionCall,
      boolean incomplete, long outputTokens) {
    this.id = OpenAiIds.response();
    this.createdAt = createdAt;
    this.request = request;
    this.itemId = functionCall == null ? OpenAiIds.outputMessage() : functionCall.getString("id");
    this.textPieces = textPieces;
    this.functionCall = functionCall;
    this.incomplete = incomplete;
    this.outputTokens = outputTokens;
  }

  /**
   * @param prompt       the prompt answered (its fingerprint makes the text)
   * @param conversation the items the model reads (the stored conversation continued, then the request's input)
   * @param createdAt    the answer's {@code created_at}, in epoch seconds
   */
  static ResponsesReply compose(ResponsesRequest request, ChatPrompt prompt, List<JsonObject> conversation,
      int defaultOutputTokens, long createdAt) {
    int tokens = Math.min(request.maxOutputTokens(), defaultOutputTokens);
    JsonObject function = request.forcedTool();
    if (function != null) {
      JsonObject parameters = function.getValue("parameters") instanceof JsonObject schema ? schema : new JsonObject();
      JsonObject call = functionCall(function.getValue("name"), AssistantReply.sampleObject(parameters));
      return new ResponsesReply(createdAt, request, List.of(), call, false, tokens);
    }
    ToolDirective directed = ToolDirective.next(new JsonArray(new ArrayList<>(conversation)),
        name -> ResponsesRequest.offers(request.tools(), name));
    if (directed != null) {
      return new ResponsesReply(createdAt, request, List.of(), functionCall(directed.name(), directed.input()), false,
          tokens);
    }
    List<String> pieces = AssistantReply.fillerPieces(prompt.fingerprint(), tokens);
    return new ResponsesReply(createdAt, request, pieces, null, request.maxOutputTokens() < defaultOutputTokens,
        tokens);
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
    return List.of(finalItem());
  }

  /** The complete response object. */
  JsonObject response(OpenAiUsage usage) {
    JsonObject response = envelope(incomplete ? "incomplete" : "completed")
        .put("output", new JsonArray().add(finalItem()))
        .put("usage", usage(usage));
    if (incomplete) {
      response.put("incomplete_details", new JsonObject().put("reason", "max_output_tokens"));
    }
    return response;
  }

  /**
   * The streamed answer, in OpenAI's order, each event with its {@code type} and {@code sequence_number}:
   * {@code response.created}, {@code response.in_progress}, {@code response.output_item.added}, then for text
   * {@code response.content_part.added}, one {@code response.output_text.delta} per output token,
   * {@code response.output_text.done}, {@code response.content_part.done} (for a function call,
   * {@code response.function_call_arguments.delta}s and {@code .done}), {@code response.output_item.done}, and
   * {@code response.completed} (or {@code response.incomplete}).
   */
  List<ServerSentEvent> events(OpenAiUsage usage) {
    Events events = new Events();
    JsonObject opening = envelope("in_progress").put("output", new JsonArray()).putNull("usage");
    events.add("response.created", new JsonObject().put("response", opening), false);
    events.add("response.in_progress", new JsonObject().put("response", opening.copy()), false);
    if (functionCall != null) {
      JsonObject started = functionCall.copy().put("status", "in_progress").put("arguments", "");
      events.add("response.output_item.added", new JsonObject().put("output_index", 0).put("item", started), false);
      String arguments = functionCall.getString("arguments");
      int step = Math.max(1, (arguments.length() + ARGUMENT_PIECES - 1) / ARGUMENT_PIECES);
      for (int from = 0; from < arguments.length(); from += step) {
        events.add("response.function_call_arguments.delta", located(false)
            .put("delta", arguments.substring(from, Math.min(arguments.length(), from + step))), true);
      }
      events.add("response.function_call_arguments.done", located(false).put("arguments", arguments), false);
    } else {
      JsonObject started = messageItem("in_progress", new JsonArray());
      events.add("response.output_item.added", new JsonObject().put("output_index", 0).put("item", started), false);
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
    events.add("response.output_item.done", new JsonObject().put("output_index", 0).put("item", finalItem()), false);
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

  private JsonObject located(boolean content) {
    JsonObject where = new JsonObject().put("item_id", itemId).put("output_index", 0);
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

  private static JsonObject usage(OpenAiUsage usage) {
    return new JsonObject()
        .put("input_tokens", usage.promptTokens())
        .put("input_tokens_details", new JsonObject().put("cached_tokens", usage.cachedTokens()))
        .put("output_tokens", usage.completionTokens())
        .put("output_tokens_details", new JsonObject().put("reasoning_tokens", 0))
        .put("total_tokens", usage.promptTokens() + usage.completionTokens());
  }

  /** The response object's fields, as OpenAI sends them (the request's settings echoed, defaults otherwise). */
  private JsonObject envelope(String status) {
    JsonObject response = new JsonObject()
        .put("id", id)
        .put("object", "response")
        .put("created_at", createdAt)
        .put("status", status)
        .put("background", false)
        .putNull("error")
        .putNull("incomplete_details")
        .put("instructions", request.instructions())
        .put("max_output_tokens", request.maxOutputTokens() == Integer.MAX_VALUE ? null : request.maxOutputTokens())
        .put("model", request.model())
        .put("parallel_tool_calls", true)
        .put("previous_response_id", request.previousResponseId())
        .put("prompt_cache_key", request.cacheKey())
        .put("reasoning", new JsonObject().putNull("effort").putNull("summary"))
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
