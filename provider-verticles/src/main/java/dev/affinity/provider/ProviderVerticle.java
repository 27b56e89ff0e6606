package dev.affinity.provider;

import dev.affinity.model.CallOutcome;
import dev.affinity.model.FailedCall;
import dev.affinity.model.GatewayError;
import dev.affinity.model.GatewayReply;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.TokenUsage;
import dev.affinity.model.UsageReport;
import dev.affinity.model.config.ProviderKind;
import dev.affinity.model.provider.UpstreamCalls;
import dev.affinity.provider.translate.Answer;
import dev.affinity.provider.translate.StreamTranslation;
import dev.affinity.provider.translate.TranslationException;
import dev.affinity.provider.translate.Translator;
import dev.affinity.provider.translate.Translators;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The outbound call every provider makes: send the body, then hand the answer to the router — complete answers as a
 * buffer with its {@link CallOutcome}, streams as an {@link UpstreamBody} whose outcome completes at its end, calls
 * that got no answer as a {@link FailedCall} with theirs: one outcome per call, through the future it returns. A provider
 * keeps the transport (address, credentials, signing, sending, bounded bodies); every byte that crosses an API
 * boundary is the call's {@link Translator}'s (request body, answer, stream, errors).
 */
public abstract class ProviderVerticle extends VerticleBase implements UpstreamCalls {

  protected static final long CONNECT_TIMEOUT_MILLIS = 10_000;
  /** Connections to one upstream host when the deployer does not say (a node passes its request limit). */
  static final int DEFAULT_CONNECTIONS_PER_HOST = 256;

  /** The defaults of {@code server_settings.max_upstream_response_mb} and {@code upstream_total_timeout}. */
  static final long DEFAULT_MAX_RESPONSE_BYTES = 64L * 1024 * 1024;
  static final long DEFAULT_TOTAL_TIMEOUT_MILLIS = 3_600_000;

  private HttpClient client;
  private long maxResponseBytes;
  private long totalTimeoutMillis;

  /** The provider kind whose calls this verticle takes. */
  protected abstract ProviderKind kind();

  /**
   * Method, URI and credentials of the upstream request for {@code call}; the body is {@code call.body()}. A provider
   * overrides this, or {@link #outbound} when it needs more.
   */
  protected RequestOptions request(ProviderCall call) {
    throw new IllegalStateException(getClass().getName() + " overrides neither request() nor outbound()");
  }

  /** The request to send upstream and its body. */
  public record Outbound(RequestOptions options, Buffer body) {
  }

  /**
   * The request for {@code call}, ready to send: {@link #request} with the {@link #body} its translator makes. A
   * provider that needs something it must wait for (credentials, a signature over the body) overrides this; a failed
   * future fails the call, with the {@link UpstreamFailure.Refusal}'s error when it is one.
   */
  protected Future<Outbound> outbound(ProviderCall call) {
    return Future.succeededFuture(new Outbound(request(call), body(call)));
  }

  /**
   * The upstream body for {@code call}, as the call's {@link Translator} makes it.
   *
   * @throws UpstreamFailure.Refusal when the body cannot be sent to this upstream (the client's mistake)
   */
  protected final Buffer body(ProviderCall call) {
    try {
      return translator(call).requestBody(call);
    } catch (TranslationException untranslatable) {
      throw new UpstreamFailure.Refusal(GatewayError.invalidField(untranslatable.param(), untranslatable.getMessage()));
    }
  }

  /** The translator between the call's client API and this provider's. */
  protected final Translator translator(ProviderCall call) {
    try {
      return Translators.of(call.request().operation().api(), kind(), call.request().model());
    } catch (Translators.NotServed notServed) {
      throw new UpstreamFailure.Refusal(notServed.error());
    }
  }

  /** Whether an upstream response header (lower-case) is relayed to the client. */
  protected abstract boolean relayed(String header);

  /** Whether {@code response} is a streamed answer, to be relayed as it arrives. */
  protected boolean streamed(HttpClientResponse response) {
    String contentType = response.getHeader("content-type");
    return contentType != null && contentType.startsWith("text/event-stream");
  }

  /** Sees the head of every answer before it is relayed, for what the transport learns from it (a stale token). */
  protected void answered(ProviderCall call, HttpClientResponse response) {
  }

  @Override
  public Future<?> start() {
    maxResponseBytes = config().getLong("max_response_bytes", DEFAULT_MAX_RESPONSE_BYTES);
    totalTimeoutMillis = config().getLong("total_timeout_millis", DEFAULT_TOTAL_TIMEOUT_MILLIS);
    client = vertx.createHttpClient(
        new HttpClientOptions().setKeepAlive(true).setDecompressionSupported(true).setForceSni(true)
            .setConnectTimeout((int) CONNECT_TIMEOUT_MILLIS),
        // HTTP/1.1 carries one stream per connection: the node passes its request limit, so that no admitted
        // request waits for a connection (and times out waiting) while thousands of streams stay open
        new PoolOptions().setHttp1MaxSize(
            config().getInteger("max_connections_per_host", DEFAULT_CONNECTIONS_PER_HOST)));
    return Future.succeededFuture();
  }

  @Override
  public final Future<GatewayReply> call(ProviderCall call) {
    Promise<GatewayReply> answer = Promise.promise();
    if (Vertx.currentContext() == context) {
      call(call, answer);
    } else {
      context.runOnContext(v -> call(call, answer));
    }
    return answer.future();
  }

  private void call(ProviderCall call, Promise<GatewayReply> answer) {
    Future<Outbound> outbound;
    try {
      outbound = outbound(call);
    } catch (RuntimeException refused) {
      outbound = Future.failedFuture(refused);
    }
    long[] sentAt = {-1};
    long[] deadline = {-1};
    // the deadline's timer lives as long as a stream: it must not hold the call (bodies, parsed tree)
    String deploymentId = call.deployment().id();
    outbound
        .compose(out -> client.request(withExtraHeaders(out.options(), call).setIdleTimeout(call.timeoutMillis())
                .setConnectTimeout(CONNECT_TIMEOUT_MILLIS))
            .compose(request -> {
              sentAt[0] = System.nanoTime();
              // the idle timeout bounds silence; this bounds the whole call, for an upstream that trickles forever
              deadline[0] = vertx.setTimer(totalTimeoutMillis, timer -> request.reset(0,
                  UpstreamFailure.Exceeded.time(deploymentId, totalTimeoutMillis)));
              return request.send(out.body());
            }))
        .onSuccess(response -> relay(answer, call, response, sentAt[0], () -> vertx.cancelTimer(deadline[0])))
        .onFailure(failure -> {
          vertx.cancelTimer(deadline[0]);
          fail(answer, call, failure, sentAt[0]);
        });
  }

  /** The deployment's {@code extra_headers}, last, so that they may replace what the provider set (as in LiteLLM). */
  private static RequestOptions withExtraHeaders(RequestOptions options, ProviderCall call) {
    call.deployment().calls().extraHeaders().forEach((name, value) -> options.putHeader(name, value.value()));
    return options;
  }

  private void relay(Promise<GatewayReply> reply, ProviderCall call, HttpClientResponse response,
                     long sentAtNanos, Runnable finished) {
    long headAtNanos = System.nanoTime();
    Map<String, String> headers = new HashMap<>();
    response.headers().forEach((name, value) -> {
      String lower = name.toLowerCase(Locale.ROOT);
      if (lower.equals("content-type") || relayed(lower)) {
        headers.merge(lower, value, (first, second) -> first + ", " + second);
      }
    });
    answered(call, response);
    Translator translator = translator(call);
    if (streamed(response)) {
      StreamTranslation translation = translator.stream(call);
      if (translation.contentType() != null) {
        headers.put("content-type", translation.contentType());
      }
      int status = response.statusCode();
      // a stream outlives its request by far: what its end reports is copied out of the call now, so that the call
      // (bodies, parsed tree) is garbage as soon as the router lets go of it
      Timer timer = new Timer(call.receivedAtNanos(), sentAtNanos);
      UpstreamBody[] opened = new UpstreamBody[1];
      UpstreamBody body = new UpstreamBody(response, context, translation, call.timeoutMillis(), failure -> {
        finished.run();
        return timer.outcome(status, translation.usage(), failure == null
            ? translation.errorType()
            : failure instanceof UpstreamBody.ClientGoneException ? "client_disconnected" : "stream_interrupted",
            opened[0].firstChunkAtNanos() > 0 ? opened[0].firstChunkAtNanos() : headAtNanos,
            translation.runningResponse());
      });
      opened[0] = body;
      String deployment = call.deployment().id();
      // the events that came with the head go with the answer: the client's first bytes need no round trip back here
      body.firstRead(() -> reply.complete(new GatewayReply(status, headers, null, body, deployment, null)));
      return;
    }
    boundedBody(response, call)
        .onComplete(done -> finished.run())
        .onSuccess(buffer -> {
          Answer answer = translator.answer(call, response.statusCode(), response.headers(), buffer);
          int status = answer.statusFor(response.statusCode());
          if (answer.contentType() != null) {
            headers.put("content-type", answer.contentType());
          }
          CallOutcome outcome = new Timer(call.receivedAtNanos(), sentAtNanos).outcome(status, answer.usage(),
              answer.errorType(), headAtNanos);
          reply.complete(new GatewayReply(status, headers, answer.body(), null, call.deployment().id(), null,
              outcome));
        })
        .onFailure(failure -> fail(reply, call, failure, sentAtNanos));
  }

  /**
   * A complete answer's body, as decoded (gzip, deflate), up to {@code server_settings.max_upstream_response_mb}:
   * past that the call is cut off, so that a small compressed answer cannot fill the heap.
   */
  private Future<Buffer> boundedBody(HttpClientResponse response, ProviderCall call) {
    Promise<Buffer> body = Promise.promise();
    Buffer collected = Buffer.buffer();
    response.exceptionHandler(body::tryFail);
    response.handler(chunk -> {
      if (body.future().isComplete()) {
        return;
      }
      if (collected.length() + (long) chunk.length() > maxResponseBytes) {
        UpstreamFailure.Exceeded tooLarge = UpstreamFailure.Exceeded.size(call.deployment().id(), maxResponseBytes);
        body.tryFail(tooLarge);
        response.request().reset(0, tooLarge);
      } else {
        collected.appendBuffer(chunk);
      }
    });
    response.endHandler(end -> body.tryComplete(collected));
    return body.future();
  }

  private void fail(Promise<GatewayReply> answer, ProviderCall call, Throwable failure, long sentAtNanos) {
    GatewayError error = UpstreamFailure.classify(failure, call.deployment().id(), call.timeoutMillis());
    boolean local = !(failure instanceof UpstreamFailure.Refusal) && !UpstreamFailure.upstreamAtFault(failure);
    CallOutcome outcome = new Timer(call.receivedAtNanos(), sentAtNanos).outcome(error.status(), TokenUsage.NONE,
        local ? GatewayError.LOCAL_FAILURE : error.type(), -1);
    answer.fail(new FailedCall(error, outcome));
  }

  /**
   * When a call's steps happened, relative to the router taking the request: two numbers, so that a stream keeps
   * nothing of its call.
   *
   * @param sentAtNanos when the upstream request was sent, or -1 when it never was
   */
  private record Timer(long receivedAtNanos, long sentAtNanos) {

    /** @param firstByteAtNanos when the answer's first bytes arrived, or -1 when none did */
    CallOutcome outcome(int status, TokenUsage usage, String errorType, long firstByteAtNanos) {
      return outcome(status, usage, errorType, firstByteAtNanos, null);
    }

    /** @param runningResponse a background response the upstream runs on, its usage to come ({@link CallOutcome}) */
    CallOutcome outcome(int status, TokenUsage usage, String errorType, long firstByteAtNanos,
                        String runningResponse) {
      long now = System.nanoTime();
      UsageReport.Timing timing = new UsageReport.Timing(sentAtNanos < 0 ? -1 : sentAtNanos - receivedAtNanos,
          firstByteAtNanos < 0 ? -1 : firstByteAtNanos - receivedAtNanos, now - receivedAtNanos);
      return new CallOutcome(status, usage, errorType, timing, runningResponse);
    }
  }

  @Override
  public Future<?> stop() {
    return client.close();
  }
}
