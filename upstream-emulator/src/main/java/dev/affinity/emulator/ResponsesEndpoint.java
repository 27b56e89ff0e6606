package dev.affinity.emulator;

import io.vertx.core.Vertx;
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
    FaultPlay.later(vertx, answer.firstTokenDelayMillis(), answer::begin);
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

    @Override
    void finished() {
      if (request.store()) {
        // stored with the whole answer (a stream's last event is written just before): a client that read it may
        // follow up at once
        List<JsonObject> stored = new ArrayList<>(conversation);
        stored.addAll(reply.output());
        account.responses().store(reply.id(), stored);
      }
      super.finished();
    }
  }
}
