package dev.affinity.emulator;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;

/**
 * {@code POST /v1/messages}: faults, rate limit, validation, the cache plan, then the answer, JSON or SSE, paced by
 * the latency model on Vert.x timers (never by blocking the event loop).
 */
final class MessagesEndpoint implements Handler<RoutingContext> {

  private final Vertx vertx;
  private final EmulatorState state;

  MessagesEndpoint(Vertx vertx, EmulatorState state) {
    this.vertx = vertx;
    this.state = state;
  }

  @Override
  public void handle(RoutingContext ctx) {
    AccountState account = ctx.get(AnthropicApi.ACCOUNT);
    Fault fault = state.faults().take(account.name());
    if (fault != null && fault.type() != Fault.Type.STALL_MID_STREAM) {
      play(ctx, account, fault);
      return;
    }
    Duration wait = account.rateLimits().admit(state.clock().now());
    if (wait != null) {
      throw new ApiError(429, "This request would exceed your account's rate limit of " + account.config().rpm()
          + " requests per minute. Please try again later.").retryAfter(wait);
    }
    MessagesRequest request = MessagesRequest.parse(RawBody.of(ctx));
    int minimum = state.minimums().forModel(request.model());
    PromptCache.Plan plan = account.cache().plan(request.layout(), minimum, state.clock().now());
    boolean stallAfterStart = fault != null && fault.type() == Fault.Type.STALL_MID_STREAM;
    Answer answer = new Answer(ctx, account, request, plan, stallAfterStart);
    FaultPlay.later(vertx, state.latency().firstTokenDelayMillis(plan.usage()), answer::begin);
  }

  private void play(RoutingContext ctx, AccountState account, Fault fault) {
    if (FaultPlay.connectionFault(ctx, fault, account.ledger()::countError)) {
      return;
    }
    ApiError error = new ApiError(fault.status(), ApiError.defaultMessage(fault.status()));
    AnthropicApi.answer(ctx, fault.retryAfter() == null ? error : error.retryAfter(fault.retryAfter()));
  }

  /** One Messages answer: SSE events or one JSON message. */
  private final class Answer extends PacedAnswer {

    private final RoutingContext ctx;
    private final AccountState account;
    private final MessagesRequest request;
    private final PromptCache.Plan plan;
    private final AssistantReply reply;

    Answer(RoutingContext ctx, AccountState account, MessagesRequest request, PromptCache.Plan plan,
        boolean stallAfterStart) {
      super(vertx, state, ctx.response(), stallAfterStart);
      this.ctx = ctx;
      this.account = account;
      this.request = request;
      this.plan = plan;
      this.reply = AssistantReply.compose(request, state.defaultOutputTokens());
    }

    @Override
    void promptProcessed() {
      account.cache().commit(plan, state.clock().now());
      account.ledger().recordInput(request.model(), plan.usage());
      account.rateLimits().chargeInput(plan.usage(), state.clock().now());
    }

    @Override
    void countError() {
      account.ledger().countError();
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
    void sendWhole() {
      // booked first, as on the OpenAI routes: a client that has the answer finds it in the counters
      finished();
      AnthropicApi.sendJson(ctx, reply.message(plan.usage().withOutputTokens(reply.outputTokens())).encode());
    }

    @Override
    void stream() {
      emitEvents(reply.events(plan.usage()));
    }

    @Override
    void finished() {
      account.ledger().recordOutput(request.model(), reply.outputTokens());
      account.rateLimits().chargeOutput(reply.outputTokens(), state.clock().now());
    }
  }
}
