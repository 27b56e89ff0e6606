package dev.affinity.router.routing;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.model.BodyStream;
import dev.affinity.model.CallOutcome;
import dev.affinity.model.GatewayErrorException;
import dev.affinity.model.GatewayReply;
import dev.affinity.model.GatewayRequest;
import dev.affinity.model.Operation;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.TokenUsage;
import dev.affinity.model.UsageReport;
import dev.affinity.model.config.ConfigLoader;
import dev.affinity.model.config.GatewayConfig;
import dev.affinity.model.provider.UpstreamCalls;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The router as the node's front ends call it, a method instead of an event-bus request: the provider is called on
 * the router's own thread, the answer comes back on the caller's, and a provider that never answers still ends the
 * request (504) after the call's timeout and a margin, its late stream cancelled.
 */
class NodeRouterTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** A provider whose answers the test gives, recording the thread each call came on. */
  private static final class ScriptedProvider extends VerticleBase implements UpstreamCalls {
    final CompletableFuture<String> calledOn = new CompletableFuture<>();
    final Promise<GatewayReply> answer = Promise.promise();

    @Override
    public Future<GatewayReply> call(ProviderCall call) {
      calledOn.complete(Thread.currentThread().getName());
      return answer.future();
    }
  }

  /** A stream that only records whether it was cancelled. */
  private static final class CancelledStream implements BodyStream {
    final AtomicBoolean cancelled = new AtomicBoolean();

    @Override
    public void cancel() {
      cancelled.set(true);
    }

    @Override
    public Future<CallOutcome> outcome() {
      return Promise.<CallOutcome>promise().future();
    }

    @Override
    public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
      return this;
    }

    @Override
    public ReadStream<Buffer> handler(Handler<Buffer> handler) {
      return this;
    }

    @Override
    public ReadStream<Buffer> pause() {
      return this;
    }

    @Override
    public ReadStream<Buffer> resume() {
      return this;
    }

    @Override
    public ReadStream<Buffer> fetch(long amount) {
      return this;
    }

    @Override
    public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
      return this;
    }
  }

  private NodeRouter deploy(ScriptedProvider provider) throws Exception {
    GatewayConfig config = ConfigLoader.parse("""
        model_list:
          - model_name: sonnet
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-acct, api_base: "http://127.0.0.1:9",
                             timeout: 1}
        router_settings: {num_retries: 0}
        """, Map.of());
    return RouterStack.deploy(vertx, config, null, provider);
  }

  private static GatewayRequest request() throws Exception {
    String body = "{\"model\":\"sonnet\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    return new GatewayRequest("r-1", Operation.MESSAGES, "sonnet", false, null, Map.of(), null, Buffer.buffer(body),
        JSON.readTree(body));
  }

  /** The thread a request was routed from, and the thread its answer came back on (or its failure). */
  private record Routed(CompletableFuture<String> callerThread, CompletableFuture<String> answeredOn) {
  }

  /** Routes {@code request} from an event loop of its own (Vert.x gives each deployment the next one). */
  private Routed routeFromAnotherLoop(NodeRouter router, GatewayRequest request) {
    Routed routed = new Routed(new CompletableFuture<>(), new CompletableFuture<>());
    vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        routed.callerThread().complete(Thread.currentThread().getName());
        router.route(request).onComplete(result -> {
          if (result.succeeded()) {
            routed.answeredOn().complete(Thread.currentThread().getName());
          } else {
            routed.answeredOn().completeExceptionally(result.cause());
          }
        });
        return Future.succeededFuture();
      }
    });
    return routed;
  }

  @Test
  void theProviderIsCalledOnTheRoutersThreadAndTheAnswerComesBackOnTheCallers() throws Exception {
    ScriptedProvider provider = new ScriptedProvider();
    NodeRouter router = deploy(provider);
    provider.answer.complete(new GatewayReply(200, Map.of(), Buffer.buffer("{}"), null, "sonnet", null,
        new CallOutcome(200, TokenUsage.NONE, null, new UsageReport.Timing(1, 1, 1))));

    Routed routed = routeFromAnotherLoop(router, request());

    String providerThread = provider.calledOn.get(10, TimeUnit.SECONDS);
    assertThat(routed.answeredOn().get(10, TimeUnit.SECONDS)).as("answered on the caller's thread")
        .isEqualTo(routed.callerThread().get(10, TimeUnit.SECONDS))
        .isNotEqualTo(providerThread);
  }

  @Test
  void aProviderThatNeverAnswersEndsTheRequestWithA504AndItsLateStreamIsCancelled() throws Exception {
    ScriptedProvider provider = new ScriptedProvider();
    NodeRouter router = deploy(provider);

    Routed routed = routeFromAnotherLoop(router, request());
    // the deployment's timeout is 1 s; the router waits that and its margin for the provider's own answer
    Throwable failure = catchThrowable(() -> routed.answeredOn().get(20, TimeUnit.SECONDS));

    assertThat(failure).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(GatewayErrorException.class);
    assertThat(((GatewayErrorException) failure.getCause()).error().status()).isEqualTo(504);
    CancelledStream late = new CancelledStream();
    provider.answer.complete(new GatewayReply(200, Map.of(), null, late, "sonnet", null));
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!late.cancelled.get() && System.nanoTime() < until) {
      Thread.sleep(10);
    }
    assertThat(late.cancelled).as("the stream nobody waits for any more is cancelled").isTrue();
  }
}
