package dev.affinity.emulator;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * One answer of an OpenAI API (Chat Completions or Responses) in flight: the steps both APIs play alike on the
 * account's OpenAI cache, counters and limits. The prompt's cache entries, its tokens and the rate limit are booked at
 * the first token, the output when the answer is complete. Subclasses say what the answer is in their API.
 */
abstract class OpenAiAnswer extends PacedAnswer {

  final RoutingContext ctx;
  final AccountState account;
  private final EmulatorState state;
  private final OpenAiPromptCache.Plan plan;

  OpenAiAnswer(Vertx vertx, EmulatorState state, RoutingContext ctx, AccountState account,
      OpenAiPromptCache.Plan plan, boolean stallAfterStart) {
    super(vertx, state, ctx.response(), stallAfterStart);
    this.state = state;
    this.ctx = ctx;
    this.account = account;
    this.plan = plan;
  }

  /** The whole answer, as sent when not streaming. */
  abstract JsonObject whole(OpenAiUsage usage);

  /** The answer's usage: the planned prompt (cached tokens included) and the output. */
  final OpenAiUsage usage() {
    return new OpenAiUsage(plan.prompt().totalTokens(), plan.cachedTokens(), outputTokens());
  }

  final long firstTokenDelayMillis() {
    return state.latency().firstTokenDelayMillis(usage().asLatencyInput());
  }

  @Override
  final void promptProcessed() {
    OpenAiUsage usage = usage();
    account.openAiCache().commit(plan, state.clock().now());
    account.ledger().recordOpenAiPrompt(usage.promptTokens(), usage.cachedTokens());
    account.openAiRateLimits().chargeTokens(usage.promptTokens(), state.clock().now());
  }

  @Override
  final void countError() {
    account.ledger().countOpenAiError();
  }

  @Override
  final void sendWhole() {
    // Charged first: the whole answer exists, so the rate-limit headers sent with it already count it.
    finished();
    OpenAiApi.sendJson(ctx, whole(usage()).encode());
  }

  @Override
  void finished() {
    account.ledger().recordOpenAiCompletion(outputTokens());
    account.openAiRateLimits().chargeTokens(outputTokens(), state.clock().now());
  }
}
