package dev.affinity.emulator;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.List;

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
    OpenAiRateLimits limits = account.openAiRateLimits();
    Duration wait = limits.admit(state.clock().now());
    if (wait != null) {
      throw new OpenAiError(429, "Rate limit reached for " + request.model() + " in organization " + account.name()
          + " on requests per min (RPM): Limit " + limits.requestLimit() + ", Used " + limits.requestLimit()
          + ", Requested 1. Please try again in " + OpenAiRateLimits.duration(wait) + ".", "requests", null,
          "rate_limit_exceeded").retryAfter(wait);
    }
    OpenAiPromptCache.Plan plan = account.openAiCache().plan(request.prompt(), request.retention(),
        state.clock().now());
    boolean stallAfterStart = fault != null;
    Answer answer = new Answer(ctx, account, request, plan, stallAfterStart);
    later(answer.firstTokenDelayMillis(), answer::begin);
  }

  private void play(RoutingContext ctx, AccountState account, Fault fault) {
    if (FaultPlay.connectionFault(ctx, fault, account.ledger()::countOpenAiError)) {
      return;
    }
    OpenAiError error = OpenAiError.forStatus(fault.status());
    OpenAiApi.answer(ctx, fault.retryAfter() == null ? error : error.retryAfter(fault.retryAfter()));
  }

  private void later(long delayMillis, Runnable action) {
    FaultPlay.later(vertx, delayMillis, action);
  }

  /** One answer in flight. Runs on the request's event loop. */
  private final class Answer {

    private final RoutingContext ctx;
    private final HttpServerResponse response;
    private final AccountState account;
    private final ChatCompletionRequest request;
    private final OpenAiPromptCache.Plan plan;
    private final ChatCompletionReply reply;
    private final OpenAiUsage usage;
    private final boolean stallAfterStart;

    Answer(RoutingContext ctx, AccountState account, ChatCompletionRequest request, OpenAiPromptCache.Plan plan,
        boolean stallAfterStart) {
      this.ctx = ctx;
      this.response = ctx.response();
      this.account = account;
      this.request = request;
      this.plan = plan;
      this.reply = ChatCompletionReply.compose(request, state.defaultOutputTokens(),
          state.clock().now().getEpochSecond());
      this.usage = new OpenAiUsage(request.prompt().totalTokens(), plan.cachedTokens(), reply.completionTokens());
      this.stallAfterStart = stallAfterStart;
    }

    long firstTokenDelayMillis() {
      return state.latency().firstTokenDelayMillis(usage.asLatencyInput());
    }

    /** The first token: the prompt has been processed, so its prefixes are now cached for other requests. */
    void begin() {
      account.openAiCache().commit(plan, state.clock().now());
      account.ledger().recordOpenAiPrompt(usage.promptTokens(), usage.cachedTokens());
      account.openAiRateLimits().chargeTokens(usage.promptTokens(), state.clock().now());
      if (response.closed()) {
        return;
      }
      if (stallAfterStart) {
        account.ledger().countOpenAiError();
      }
      if (request.stream()) {
        stream();
      } else if (stallAfterStart) {
        response.setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, AnthropicApi.APPLICATION_JSON).writeHead();
      } else {
        long generation = Math.max(0, reply.completionTokens() - 1) * state.latency().millisPerOutputToken();
        later(generation, this::sendCompletion);
      }
    }

    private void sendCompletion() {
      if (response.closed()) {
        return;
      }
      // Charged first: the whole answer exists, so the rate-limit headers sent with it already count it.
      finished();
      OpenAiApi.sendJson(ctx, reply.completion(usage).encode());
    }

    private void stream() {
      response.setChunked(true)
          .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
          .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
      List<ChatCompletionReply.Chunk> chunks = reply.chunks(usage, request.includeUsage());
      if (stallAfterStart) {
        response.write(chunks.get(0).toBuffer());
        return;
      }
      PacedStream.emit(vertx, response, chunks.size(), state.latency().millisPerOutputToken(),
          i -> chunks.get(i).paced(), i -> chunks.get(i).toBuffer(), this::finished);
    }

    private void finished() {
      account.ledger().recordOpenAiCompletion(reply.completionTokens());
      account.openAiRateLimits().chargeTokens(reply.completionTokens(), state.clock().now());
    }
  }
}
