package dev.affinity.emulator;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;

/**
 * {@code POST /v1/chat/completions} for an authenticated account: faults, validation, rate limit, the cache plan,
 * then the answer, JSON or SSE, paced by the latency model on Vert.x timers (never by blocking the event loop).
 */
final class ChatCompletionsEndpoint {

  private final Vertx vertx;
  private final EmulatorState state;

  ChatCompletionsEndpoint(Vertx vertx, EmulatorState state) {
    this.vertx = vertx;
    this.state = state;
  }

  void handle(RoutingContext ctx) {
    AccountState account = ctx.get(OpenAiApi.ACCOUNT);
    Fault fault = state.faults().take(account.name());
    if (fault != null && fault.type() != Fault.Type.STALL_MID_STREAM) {
      play(ctx, account, fault);
      return;
    }
    ChatCompletionRequest request = ChatCompletionRequest.parse(RawBody.of(ctx));
    Duration wait = account.openAiRateLimits().admit(state.clock().now());
    if (wait != null) {
      throw overRequestLimit(request.model(), account, wait);
    }
    OpenAiPromptCache.Plan plan = account.openAiCache().plan(request.prompt(), request.retention(),
        state.clock().now());
    boolean stallAfterStart = fault != null;
    Answer answer = new Answer(ctx, account, request, plan, stallAfterStart);
    FaultPlay.later(vertx, answer.firstTokenDelayMillis(), answer::begin);
  }

  /** OpenAI's 429 for an account over its requests per minute, saying when to retry. */
  static OpenAiError overRequestLimit(String model, AccountState account, Duration wait) {
    OpenAiRateLimits limits = account.openAiRateLimits();
    return new OpenAiError(429, "Rate limit reached for " + model + " in organization " + account.name()
        + " on requests per min (RPM): Limit " + limits.requestLimit() + ", Used " + limits.requestLimit()
        + ", Requested 1. Please try again in " + OpenAiRateLimits.duration(wait) + ".", "requests", null,
        "rate_limit_exceeded").retryAfter(wait);
  }

  /** Plays a fault that replaces the answer: a closed connection, or an error in OpenAI's shape. */
  static void play(RoutingContext ctx, AccountState account, Fault fault) {
    if (FaultPlay.connectionFault(ctx, fault, account.ledger()::countOpenAiError)) {
      return;
    }
    OpenAiError error = OpenAiError.forStatus(fault.status());
    OpenAiApi.answer(ctx, fault.retryAfter() == null ? error : error.retryAfter(fault.retryAfter()));
  }

  /** One Chat Completions answer: SSE chunks or one JSON completion. */
  private final class Answer extends OpenAiAnswer {

    private final ChatCompletionRequest request;
    private final ChatCompletionReply reply;

    Answer(RoutingContext ctx, AccountState account, ChatCompletionRequest request, OpenAiPromptCache.Plan plan,
        boolean stallAfterStart) {
      super(vertx, state, ctx, account, plan, stallAfterStart);
      this.request = request;
      this.reply = ChatCompletionReply.compose(request, state.defaultOutputTokens(),
          state.clock().now().getEpochSecond());
    }

    @Override
    boolean streaming() {
      return request.stream();
    }

    @Override
    long outputTokens() {
      return reply.completionTokens();
    }

    @Override
    JsonObject whole(OpenAiUsage usage) {
      return reply.completion(usage);
    }

    @Override
    void stream() {
      emitEvents(reply.chunks(usage(), request.includeUsage()));
    }
  }
}
