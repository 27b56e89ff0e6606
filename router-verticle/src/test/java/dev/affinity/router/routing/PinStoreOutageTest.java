package dev.affinity.router.routing;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.emulator.workload.AgentWorkload;
import dev.affinity.model.GatewayRequest;
import dev.affinity.model.Operation;
import dev.affinity.model.RouteKind;
import dev.affinity.model.config.ConfigLoader;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.GatewayConfig;
import dev.affinity.router.pins.InMemoryPinStore;
import dev.affinity.router.pins.PinStore;
import dev.affinity.router.routing.strategy.InFlight;
import dev.affinity.router.routing.strategy.UnpinnedStrategy;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pin store fails its writes (members unreachable, a migration past its timeout): a request that would claim
 * its prefix is still routed, to a deployment of its alias, unpinned; affinity must not turn a store outage into
 * client errors. Once the store answers again, the next request claims as usual.
 */
class PinStoreOutageTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aFailedClaimWriteRoutesTheRequestUnpinnedInsteadOfFailingIt() throws Exception {
    GatewayConfig config = ConfigLoader.parse("""
        model_list:
          - model_name: claude
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-1, api_base: "http://127.0.0.1:1"}
            model_info: {id: a1}
          - model_name: claude
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-2, api_base: "http://127.0.0.1:1"}
            model_info: {id: a2}
        """, Map.of());
    List<Deployment> deployments = config.deploymentsFor("claude");
    FailingPins pins = new FailingPins();
    Context context = vertx.getOrCreateContext();
    CacheAffinityPolicy policy = new CacheAffinityPolicy(pins, UnpinnedStrategy.named("simple-shuffle", new InFlight()),
        new Eligibility(new DeploymentHealth(3, 5_000, System::currentTimeMillis),
            new RateLimitHeadroom(System::currentTimeMillis), () -> 1), context, Duration.ofSeconds(2), 2);
    GatewayRequest request = request(config);
    assertThat(((PromptKeys) request.prepared()).plan().pins()).as("a request that claims").isNotEmpty();

    pins.failing = true;
    Route route = routeOn(context, policy, request, deployments);
    assertThat(deployments).contains(route.deployment());
    assertThat(route.warming()).as("nothing written, so nothing warming").isEmpty();
    assertThat(pins.size()).as("no pin was written").isZero();

    pins.failing = false;
    Route next = routeOn(context, policy, request, deployments);
    assertThat(next.kind()).as("the store is back: the next request claims").isEqualTo(RouteKind.CLAIMED);
    assertThat(pins.size()).isPositive();
  }

  private static GatewayRequest request(GatewayConfig config) throws Exception {
    byte[] body = AgentWorkload.agentRequestFixture(42);
    GatewayRequest request = new GatewayRequest("req_1", Operation.MESSAGES, "claude", false, "default", Map.of(),
        null, Buffer.buffer(body), JSON.readTree(body));
    return request.withPrepared(PromptKeys.prepare(config, request));
  }

  private static Route routeOn(Context context, CacheAffinityPolicy policy, GatewayRequest request,
                               List<Deployment> deployments) throws Exception {
    CompletableFuture<Route> route = new CompletableFuture<>();
    context.runOnContext(go -> policy.route(request, deployments).onComplete(done -> {
      if (done.succeeded()) {
        route.complete(done.result());
      } else {
        route.completeExceptionally(done.cause());
      }
    }));
    return route.get(10, TimeUnit.SECONDS);
  }

  /** An in-memory store whose writes fail while {@link #failing}; reads answer from what was written. */
  private static final class FailingPins implements PinStore {

    private final InMemoryPinStore applied = new InMemoryPinStore();
    volatile boolean failing;

    @Override
    public Found read(Collection<String> keys) {
      return applied.read(keys);
    }

    @Override
    public CompletionStage<Found> write(Map<Write, Set<String>> writes) {
      return failing ? CompletableFuture.failedFuture(new IllegalStateException("no member answered in time"))
          : applied.write(writes);
    }

    @Override
    public List<PinView> list(int limit) {
      return applied.list(limit);
    }

    @Override
    public int size() {
      return applied.size();
    }

    @Override
    public int ownedHere() {
      return applied.ownedHere();
    }

    @Override
    public long pinsOf(String tenant) {
      return applied.pinsOf(tenant);
    }

    @Override
    public void clear() {
      applied.clear();
    }
  }
}
