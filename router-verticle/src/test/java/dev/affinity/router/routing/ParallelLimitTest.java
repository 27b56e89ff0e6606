package dev.affinity.router.routing;

import dev.affinity.emulator.workload.AgentWorkload;
import dev.affinity.model.GatewayErrorException;
import dev.affinity.model.GatewayReply;
import dev.affinity.model.GatewayRequest;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.config.ConfigLoader;
import dev.affinity.model.config.GatewayConfig;
import dev.affinity.model.provider.UpstreamCalls;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * {@code max_parallel_requests} holds for requests decided at the same moment: two requests that both saw the
 * deployment's one slot free (each still writing its claim) do not both reach it; the one that finds the slot taken
 * is decided again among the deployments with a free slot, and refused with a 429 when there is none.
 */
class ParallelLimitTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** A provider that records the deployment of every call and never answers (each call keeps its slot). */
  private static final class HoldingProvider extends VerticleBase implements UpstreamCalls {
    final List<String> called = new CopyOnWriteArrayList<>();

    @Override
    public Future<GatewayReply> call(ProviderCall call) {
      called.add(call.deployment().id());
      return Promise.<GatewayReply>promise().future();
    }
  }

  /** Pins whose writes (the claims) wait until the test lets them through, all at once; later ones pass. */
  private static final class HeldClaims extends ForwardingPins {
    private final List<Runnable> held = new ArrayList<>();
    private boolean open;

    @Override
    public synchronized CompletionStage<Found> write(Map<Write, Set<String>> writes) {
      if (open) {
        return applied.write(writes);
      }
      CompletableFuture<Found> done = new CompletableFuture<>();
      held.add(() -> applied.write(writes).whenComplete((found, failure) -> {
        if (failure != null) {
          done.completeExceptionally(failure);
        } else {
          done.complete(found);
        }
      }));
      return done;
    }

    synchronized int waiting() {
      return held.size();
    }

    void releaseAll() {
      List<Runnable> now;
      synchronized (this) {
        now = new ArrayList<>(held);
        held.clear();
        open = true;
      }
      now.forEach(Runnable::run);
    }
  }

  private NodeRouter deploy(String yaml, HeldClaims pins, HoldingProvider provider) throws Exception {
    return RouterStack.deploy(vertx, ConfigLoader.parse(yaml, Map.of()), pins, provider);
  }

  private static GatewayRequest turn(GatewayConfig config, long seed) throws Exception {
    return PolicyRequests.prepared(config, "req_" + seed, AgentWorkload.agentRequestFixture(seed));
  }

  /** Two new prompts routed together; their claims are let through only once both are waiting on them. */
  private static List<CompletableFuture<GatewayReply>> routeTogether(NodeRouter router, HeldClaims pins,
                                                                     GatewayRequest... requests) throws Exception {
    List<CompletableFuture<GatewayReply>> answers = new ArrayList<>();
    for (GatewayRequest request : requests) {
      answers.add(router.route(request).toCompletionStage().toCompletableFuture());
    }
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (pins.waiting() < requests.length && System.nanoTime() < until) {
      Thread.sleep(5);
    }
    assertThat(pins.waiting()).as("both requests passed the slot check and wait on their claims").isEqualTo(
        requests.length);
    pins.releaseAll();
    return answers;
  }

  private static final String ONE_DEPLOYMENT = """
      model_list:
        - model_name: claude
          litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-1, api_base: "http://127.0.0.1:9",
                           max_parallel_requests: 1}
          model_info: {id: narrow}
      router_settings: {num_retries: 0, warm_up_wait: 0, enable_prompt_cache_affinity: true}
      """;

  @Test
  void twoRequestsDecidedTogetherDoNotBothTakeTheLastSlot() throws Exception {
    HeldClaims pins = new HeldClaims();
    HoldingProvider provider = new HoldingProvider();
    NodeRouter router = deploy(ONE_DEPLOYMENT, pins, provider);
    GatewayConfig config = ConfigLoader.parse(ONE_DEPLOYMENT, Map.of());

    List<CompletableFuture<GatewayReply>> answers = routeTogether(router, pins, turn(config, 1), turn(config, 2));

    CompletableFuture<Object> refused = CompletableFuture.anyOf(answers.toArray(CompletableFuture[]::new));
    Throwable failure = catchThrowable(() -> refused.get(10, TimeUnit.SECONDS));
    assertThat(failure).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(GatewayErrorException.class);
    GatewayErrorException error = (GatewayErrorException) failure.getCause();
    assertThat(error.error().status()).isEqualTo(429);
    assertThat(error.error().message()).contains("max_parallel_requests");
    assertThat(provider.called).as("one call holds the one slot; the other was never sent").containsExactly("narrow");
  }

  @Test
  void theRequestThatFindsTheSlotTakenGoesToADeploymentWithOneFree() throws Exception {
    String yaml = """
        model_list:
          - model_name: claude
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-1, api_base: "http://127.0.0.1:9",
                             max_parallel_requests: 1, order: 1}
            model_info: {id: narrow}
          - model_name: claude
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-2, api_base: "http://127.0.0.1:9",
                             order: 2}
            model_info: {id: spare}
        router_settings: {num_retries: 0, warm_up_wait: 0, enable_prompt_cache_affinity: true}
        """;
    HeldClaims pins = new HeldClaims();
    HoldingProvider provider = new HoldingProvider();
    NodeRouter router = deploy(yaml, pins, provider);
    GatewayConfig config = ConfigLoader.parse(yaml, Map.of());

    routeTogether(router, pins, turn(config, 1), turn(config, 2));

    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (provider.called.size() < 2 && System.nanoTime() < until) {
      Thread.sleep(5);
    }
    assertThat(provider.called).as("the lower order while it has a slot, then the next one")
        .containsExactlyInAnyOrder("narrow", "spare");
  }
}
