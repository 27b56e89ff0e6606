package dev.affinity.emulator;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /v1/responses} for an authenticated account, in the steps of {@link ChatCompletionsEndpoint}: faults,
 * validation, the stored conversation a {@code previous_response_id} continues, rate limit, the OpenAI cache plan,
 * then the answer, JSON or OpenAI's typed SSE events, paced by the latency model. The account's OpenAI cache and
 * limits are the Chat Completions ones: one organisation, one cache.
 */
final class ResponsesEndpoint {

  private final Vertx vertx;
  private final EmulatorState state;

  ResponsesEndpoint(Vertx vertx, EmulatorState state) {
    this.vertx = vertx;
    this.state = state;
  }

  void handle(RoutingContext ctx) {
    AccountState account = ctx.get(OpenAiApi.ACCOUNT);
    Fault fault = state.faults().take(account.name());
    if (fault != null && fault.type() != Fault.Type.STALL_MID_STREAM) {
      ChatCompletionsEndpoint.play(ctx, account, fault);
      return;
    }
    ResponsesRequest request = ResponsesRequest.parse(RawBody.of(ctx));
    List<JsonObject> earlier = List.of();
    if (request.previousResponseId() != null) {
      earlier = account.responses().conversation(request.previousResponseId());
      if (earlier == null) {
        throw new OpenAiError(404, "Previous response with id '" + request.previousResponseId() + "' not found.",
            OpenAiError.INVALID_REQUEST, "previous_response_id", "previous_response_not_found");
      }
    }
    Duration wait = account.openAiRateLimits().admit(state.clock().now());
    if (wait != null) {
      throw ChatCompletionsEndpoint.overRequestLimit(request.model(), account, wait);
    }
    ChatPrompt prompt = request.prompt(earlier);
    OpenAiPromptCache.Plan plan = account.openAiCache().plan(prompt, request.retention(), state.clock().now());
    Answer answer = new Answer(ctx, account, request, request.conversation(earlier), plan, fault != null);
    if (request.background()) {
      answer.inBackground();
      return;
    }
    FaultPlay.later(vertx, answer.firstTokenDelayMillis(), answer::begin);
  }

  /** {@code GET /v1/responses/{id}}: the stored response object, as it was answered. */
  void retrieve(RoutingContext ctx) {
    AccountState account = ctx.get(OpenAiApi.ACCOUNT);
    StoredResponses.Stored stored = found(account, ctx.pathParam("id"));
    if ("true".equals(ctx.request().getParam("stream"))) {
      if (stored.events() == null) {
        throw OpenAiError.invalidRequest("Only a background response created with stream=true can be streamed by"
            + " this emulator.", "stream", null);
      }
      long after = startingAfter(ctx.request().getParam("starting_after"));
      ctx.response().setChunked(true)
          .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
          .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
      stored.events().watch(ctx.response(), after);
      return;
    }
    OpenAiApi.sendJson(ctx, stored.response().encode());
  }

  /** {@code starting_after}: the sequence number after which a resumed stream starts; -1 (from the start) if absent. */
  private static long startingAfter(String given) {
    if (given == null) {
      return -1;
    }
    try {
      long after = Long.parseLong(given);
      if (after >= 0) {
        return after;
      }
    } catch (NumberFormatException notNumber) {
      // answered below
    }
    throw OpenAiError.invalidRequest("Invalid 'starting_after': expected a non-negative integer, but got '" + given
        + "' instead.", "starting_after", "invalid_type");
  }

  /** {@code DELETE /v1/responses/{id}}: forgets it; a follow-up or a retrieve of it is then not found. */
  void delete(RoutingContext ctx) {
    AccountState account = ctx.get(OpenAiApi.ACCOUNT);
    String id = ctx.pathParam("id");
    if (!account.responses().delete(id)) {
      throw notFound(id);
    }
    OpenAiApi.sendJson(ctx, new JsonObject().put("id", id).put("object", "response").put("deleted", true).encode());
  }

  /**
   * {@code POST /v1/responses/{id}/cancel}: a background response still running stops and is {@code cancelled}; one
   * already over is answered as it is. A response made in the foreground is refused, as OpenAI refuses it.
   */
  void cancel(RoutingContext ctx) {
    AccountState account = ctx.get(OpenAiApi.ACCOUNT);
    String id = ctx.pathParam("id");
    if (!found(account, id).response().getBoolean("background", false)) {
      throw OpenAiError.invalidRequest("Only responses created with background=true can be cancelled.", null, null);
    }
    JsonObject cancelled = account.responses().cancel(id);
    if (cancelled == null) {
      throw notFound(id);
    }
    OpenAiApi.sendJson(ctx, cancelled.encode());
  }

  /**
   * {@code GET /v1/responses/{id}/input_items}: the request's input items, with their ids, as OpenAI's cursor list:
   * {@code order} ({@code desc} by default: newest first), {@code after} / {@code before} an item id, {@code limit}
   * 1 to 100 (20 by default). {@code include} is accepted; the items hold nothing more to include.
   */
  void inputItems(RoutingContext ctx) {
    AccountState account = ctx.get(OpenAiApi.ACCOUNT);
    List<JsonObject> items = new ArrayList<>(found(account, ctx.pathParam("id")).inputItems());
    String order = ctx.request().getParam("order", "desc");
    if (!order.equals("asc") && !order.equals("desc")) {
      throw OpenAiError.invalidRequest("Invalid value: '" + order + "'. Supported values are: 'asc' and 'desc'.",
          "order", "invalid_value");
    }
    if (order.equals("desc")) {
      java.util.Collections.reverse(items);
    }
    int limit = limit(ctx.request().getParam("limit"));
    int from = 0;
    int to = items.size();
    String after = ctx.request().getParam("after");
    if (after != null) {
      from = indexOf(items, after, "after") + 1;
    }
    String before = ctx.request().getParam("before");
    if (before != null) {
      to = indexOf(items, before, "before");
    }
    // paging back (before, no after) takes the items just before the cursor; otherwise those just after
    boolean back = before != null && after == null;
    int start = Math.min(to, back ? Math.max(from, to - limit) : from);
    int end = Math.max(start, back ? to : Math.min(to, from + limit));
    List<JsonObject> page = items.subList(start, end);
    boolean hasMore = back ? start > from : end < to;
    OpenAiApi.sendJson(ctx, new JsonObject().put("object", "list").put("data", new JsonArray(new ArrayList<>(page)))
        .put("first_id", page.isEmpty() ? null : page.get(0).getString("id"))
        .put("last_id", page.isEmpty() ? null : page.get(page.size() - 1).getString("id"))
        .put("has_more", hasMore).encode());
  }

  private static int limit(String given) {
    if (given == null) {
      return 20;
    }
    int limit;
    try {
      limit = Integer.parseInt(given);
    } catch (NumberFormatException notNumber) {
      throw OpenAiError.invalidRequest("Invalid 'limit': expected an integer, but got '" + given + "' instead.",
          "limit", "invalid_type");
    }
    if (limit < 1 || limit > 100) {
      throw OpenAiError.invalidRequest("Invalid 'limit': integer out of range. Expected a value between 1 and 100,"
          + " but got " + limit + " instead.", "limit", "integer_out_of_range");
    }
    return limit;
  }

  private static int indexOf(List<JsonObject> items, String id, String param) {
    for (int i = 0; i < items.size(); i++) {
      if (id.equals(items.get(i).getString("id"))) {
        return i;
      }
    }
    throw OpenAiError.invalidRequest("No input item with id '" + id + "' in this response.", param, null);
  }

  private static StoredResponses.Stored found(AccountState account, String id) {
    StoredResponses.Stored stored = account.responses().get(id);
    if (stored == null) {
      throw notFound(id);
    }
    return stored;
  }

  private static OpenAiError notFound(String id) {
    return new OpenAiError(404, "Response with id '" + id + "' not found.", OpenAiError.INVALID_REQUEST, null, null);
  }

  /** The input items as OpenAI lists them: each with an id, its own if the client gave one. */
  private static List<JsonObject> withIds(List<JsonObject> input) {
    List<JsonObject> items = new ArrayList<>(input.size());
    for (JsonObject item : input) {
      Object own = item.getValue("id");
      JsonObject listed = new JsonObject().put("id", own instanceof String given ? given
          : OpenAiIds.inputItem(item.getString("type", "message")));
      item.forEach(field -> {
        if (!field.getKey().equals("id")) {
          listed.put(field.getKey(), field.getValue());
        }
      });
      items.add(listed.copy());
    }
    return items;
  }

  /** One Responses answer: typed SSE events or one JSON response object; stored, when asked, once complete. */
  private final class Answer extends OpenAiAnswer {

    private final ResponsesRequest request;
    private final List<JsonObject> conversation;
    private final ResponsesReply reply;

    Answer(RoutingContext ctx, AccountState account, ResponsesRequest request, List<JsonObject> conversation,
        OpenAiPromptCache.Plan plan, boolean stallAfterStart) {
      super(vertx, state, ctx, account, plan, stallAfterStart);
      this.request = request;
      this.conversation = conversation;
      this.reply = ResponsesReply.compose(request, plan.prompt(), conversation, state.defaultOutputTokens(),
          state.clock().now().getEpochSecond());
    }

    @Override
    boolean streaming() {
      return request.stream();
    }

    @Override
    long outputTokens() {
      return reply.outputTokens();
    }

    @Override
    JsonObject whole(OpenAiUsage usage) {
      return reply.response(usage);
    }

    @Override
    void stream() {
      emitEvents(reply.events(usage()));
    }

    /**
     * A background response: stored and answered at once as {@code queued}, {@code in_progress} from its first token,
     * then stored whole when its output is generated, as the latency model paces it, unless it was cancelled first
     * (then its output is neither stored nor charged). Its prompt is processed (cached, counted) at its first token
     * either way, as a foreground answer's is even when its client has gone. Streamed, the answer is its events: the
     * queued ones at once, the rest from the first token; the response runs on to its end if the client goes (what
     * background mode is for), and a cancelled one's stream ends where it is.
     */
    void inBackground() {
      JsonObject queued = reply.pending("queued");
      List<ServerSentEvent> events = request.stream() ? reply.events(usage()) : null;
      EventLog log = events == null ? null : new EventLog();
      account.responses().store(reply.id(), queued, withIds(request.input()), conversation, log);
      if (log == null) {
        OpenAiApi.sendJson(ctx, queued.encode());
      } else {
        openEvents();
        log.watch(response, -1);
        for (int i = 0; i < ResponsesReply.QUEUED_EVENTS; i++) {
          log.add(events.get(i).toBuffer());
        }
      }
      FaultPlay.later(vertx, firstTokenDelayMillis(), () -> {
        if (!account.responses().advance(reply.id(), reply.pending("in_progress"), conversation)) {
          if (log != null) {
            log.end();
          }
          return;
        }
        promptProcessed();
        if (log == null) {
          long generation = Math.max(0, outputTokens() - 1) * state.latency().millisPerOutputToken();
          FaultPlay.later(vertx, generation, this::answeredInBackground);
          return;
        }
        // the events are made whoever watches: the client may go, and come back
        PacedStream.emit(vertx, ResponsesReply.QUEUED_EVENTS, events.size(), state.latency().millisPerOutputToken(),
            i -> events.get(i).paced(), i -> events.get(i).toBuffer(), new PacedStream.Sink() {
              @Override
              public void write(Buffer event) {
                log.add(event);
              }

              @Override
              public boolean stopped() {
                return cancelled();
              }

              @Override
              public void end() {
                answeredInBackground(); // stored before the last event's stream ends: a client may read it back
                log.end();
              }

              @Override
              public void cut() {
                log.end();
              }
            });
      });
    }

    private boolean cancelled() {
      StoredResponses.Stored stored = account.responses().get(reply.id());
      return stored == null || "cancelled".equals(stored.response().getString("status"));
    }

    /** Stores the background response's answer and charges its output, unless it is over (answered, cancelled). */
    private void answeredInBackground() {
      List<JsonObject> through = new ArrayList<>(conversation);
      through.addAll(reply.output());
      if (account.responses().advance(reply.id(), reply.response(usage()), through)) {
        super.finished();
      }
    }

    @Override
    void finished() {
      if (request.store()) {
        // stored with the whole answer (a stream's last event is written just before): a client that read it may
        // follow up at once
        List<JsonObject> stored = new ArrayList<>(conversation);
        stored.addAll(reply.output());
        account.responses().store(reply.id(), reply.response(usage()), withIds(request.input()), stored);
      }
      super.finished();
    }
  }
}
