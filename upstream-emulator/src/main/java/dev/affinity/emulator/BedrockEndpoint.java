package dev.affinity.emulator;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * {@code InvokeModel} and {@code InvokeModelWithResponseStream} for Anthropic models: faults, the account's Bedrock
 * request limit, validation, the account's Bedrock prompt cache (Anthropic's rules, its own entries), then the
 * Anthropic answer, as JSON with Bedrock's token-count headers or as event-stream {@code chunk} frames, paced by the
 * latency model on Vert.x timers.
 *
 * <p>A status fault on a streaming request is played the way Bedrock reports throttling and model errors to
 * streaming clients: a {@code 200} whose event stream holds a single exception message (when the stream has a
 * member for that error; otherwise, and for requests over the limit, an HTTP error before the stream opens).
 */
final class BedrockEndpoint {

  static final String INPUT_TOKENS_HEADER = "x-amzn-bedrock-input-token-count";
  static final String OUTPUT_TOKENS_HEADER = "x-amzn-bedrock-output-token-count";
  static final String CACHE_READ_HEADER = "x-amzn-bedrock-cache-read-input-token-count";
  static final String CACHE_WRITE_HEADER = "x-amzn-bedrock-cache-write-input-token-count";
  static final String LATENCY_HEADER = "x-amzn-bedrock-invocation-latency";
  static final String INVOCATION_METRICS = "amazon-bedrock-invocationMetrics";

  private final Vertx vertx;
  private final EmulatorState state;

  BedrockEndpoint(Vertx vertx, EmulatorState state) {
    this.vertx = vertx;
    this.state = state;
  }

  void handle(RoutingContext ctx, boolean stream) {
    long startedNanos = System.nanoTime();
    AccountState account = ctx.get(BedrockApi.ACCOUNT);
    Fault fault = state.faults().take(account.name());
    if (fault != null && fault.type() != Fault.Type.STALL_MID_STREAM) {
      play(ctx, account, fault, stream);
      return;
    }
    if (account.bedrockRateLimits().admit(state.clock().now()) != null) {
      throw BedrockError.throttling();
    }
    BedrockRequest request = BedrockRequest.parse(ctx.get(BedrockApi.MODEL_ID), RawBody.of(ctx));
    int minimum = state.minimums().forModel(request.anthropicModel());
    PromptCache.Plan plan = account.bedrockCache().plan(request.messages().layout(), minimum, state.clock().now());
    boolean stallAfterStart = fault != null && fault.type() == Fault.Type.STALL_MID_STREAM;
    Answer answer = new Answer(ctx, account, request, plan, stream, stallAfterStart, startedNanos);
    FaultPlay.later(vertx, state.latency().firstTokenDelayMillis(plan.usage()), answer::begin);
  }

  private void play(RoutingContext ctx, AccountState account, Fault fault, boolean stream) {
    if (FaultPlay.connectionFault(ctx, fault, account.ledger()::countError)) {
      return;
    }
    switch (fault.type()) {
      case STATUS -> {
        BedrockError error = BedrockError.forStatus(fault.status(), null);
        if (stream && error.streamExceptionType() != null) {
          account.ledger().countError();
          openStream(ctx.response()).end(EventStreamFrames.exception(error.streamExceptionType(),
              error.getMessage()));
        } else {
          BedrockApi.answer(ctx, error);
        }
      }
      default -> throw new IllegalStateException("not played here: " + fault.type());
    }
  }

  private static HttpServerResponse openStream(HttpServerResponse response) {
    return response.setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, EventStreamFrames.CONTENT_TYPE)
        .putHeader("x-amzn-bedrock-content-type", AnthropicApi.APPLICATION_JSON);
  }

  /** One Bedrock answer: event-stream frames, or one JSON message with the token-count headers. */
  private final class Answer extends PacedAnswer {

    private final AccountState account;
    private final BedrockRequest request;
    private final PromptCache.Plan plan;
    private final AssistantReply reply;
    private final boolean stream;
    private final long startedNanos;
    private long firstByteMillis;

    Answer(RoutingContext ctx, AccountState account, BedrockRequest request, PromptCache.Plan plan, boolean stream,
        boolean stallAfterStart, long startedNanos) {
      super(vertx, state, ctx.response(), stallAfterStart);
      this.account = account;
      this.request = request;
      this.plan = plan;
      this.reply = AssistantReply.compose(request.messages(), state.defaultOutputTokens());
      this.stream = stream;
      this.startedNanos = startedNanos;
    }

    @Override
    void promptProcessed() {
      firstByteMillis = elapsedMillis();
      account.bedrockCache().commit(plan, state.clock().now());
      account.ledger().recordInput(request.modelId(), plan.usage());
      account.bedrockRateLimits().chargeInput(plan.usage(), state.clock().now());
    }

    @Override
    void countError() {
      account.ledger().countError();
    }

    @Override
    boolean streaming() {
      return stream;
    }

    @Override
    long outputTokens() {
      return reply.outputTokens();
    }

    @Override
    void sendWhole() {
      Usage usage = plan.usage().withOutputTokens(reply.outputTokens());
      response.putHeader(HttpHeaders.CONTENT_TYPE, AnthropicApi.APPLICATION_JSON)
          .putHeader(INPUT_TOKENS_HEADER, Long.toString(usage.inputTokens()))
          .putHeader(OUTPUT_TOKENS_HEADER, Long.toString(usage.outputTokens()))
          .putHeader(CACHE_READ_HEADER, Long.toString(usage.cacheReadInputTokens()))
          .putHeader(CACHE_WRITE_HEADER, Long.toString(usage.cacheCreationInputTokens()))
          .putHeader(LATENCY_HEADER, Long.toString(elapsedMillis()))
          .end(asBedrockMessage(reply.message(usage)).encode());
      finished();
    }

    @Override
    void stream() {
      openStream(response);
      // Bedrock relays Anthropic's events but not its keep-alive pings.
      List<ServerSentEvent> events = reply.events(plan.usage()).stream()
          .filter(event -> !event.name().equals("ping"))
          .toList();
      asBedrockMessage(events.get(0).data().getJsonObject("message"));
      emit(events.size(), i -> events.get(i).paced(), i -> frame(events, i));
    }

    /** The event-stream frame of event {@code i}; the last one carries the invocation metrics. */
    private Buffer frame(List<ServerSentEvent> events, int i) {
      JsonObject data = events.get(i).data();
      if (i == events.size() - 1) {
        data.put(INVOCATION_METRICS, invocationMetrics());
      }
      return EventStreamFrames.chunk(data);
    }

    /** What Bedrock appends to the last event ({@code message_stop}) of a stream. */
    private JsonObject invocationMetrics() {
      Usage usage = plan.usage();
      return new JsonObject()
          .put("inputTokenCount", usage.inputTokens())
          .put("outputTokenCount", reply.outputTokens())
          .put("invocationLatency", elapsedMillis())
          .put("firstByteLatency", firstByteMillis)
          .put("cacheReadInputTokenCount", usage.cacheReadInputTokens())
          .put("cacheWriteInputTokenCount", usage.cacheCreationInputTokens());
    }

    /** Bedrock's message ids are {@code msg_bdrk_...}, and it names the Anthropic model, not the Bedrock id. */
    private JsonObject asBedrockMessage(JsonObject message) {
      String id = message.getString("id");
      return message.put("id", "msg_bdrk_" + id.substring(id.indexOf('_') + 1))
          .put("model", request.anthropicModel());
    }

    @Override
    void finished() {
      account.ledger().recordOutput(request.modelId(), reply.outputTokens());
      account.bedrockRateLimits().chargeOutput(reply.outputTokens(), state.clock().now());
    }

    private long elapsedMillis() {
      return (System.nanoTime() - startedNanos) / 1_000_000;
    }
  }
}
