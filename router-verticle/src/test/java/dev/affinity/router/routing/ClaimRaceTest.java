package dev.affinity.router.routing;

import dev.affinity.emulator.workload.AgentWorkload;
import dev.affinity.emulator.workload.Session;
import dev.affinity.model.GatewayRequest;
import dev.affinity.model.config.ConfigLoader;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.GatewayConfig;
import dev.affinity.router.pins.PinStore;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two first requests for one prompt, racing for its pins: a prompt's keys live on different members, so each key's
 * write lands on its own and the two requests' writes can interleave in any order. Whatever the order, both must
 * end on one deployment (the prompt is then written once). The store here applies each key's write when the test
 * says, in the order most hostile to agreement: one request's shortest key first, the other's longest first.
 */
class ClaimRaceTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void twoFirstRequestsAgreeWhateverOrderTheirKeysAreWrittenIn() throws Exception {
    GatewayConfig config = ConfigLoader.parse("""
        router_settings: {routing_strategy: round-robin}
        model_list:
          - model_name: claude
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-1, api_base: "http://127.0.0.1:1"}
            model_info: {id: a1}
          - model_name: claude
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-2, api_base: "http://127.0.0.1:1"}
            model_info: {id: a2}
        """, Map.of());
    List<Deployment> deployments = config.deploymentsFor("claude");
    GatewayRequest request = PolicyRequests.agentTurn(config);
    PromptKeys keys = (PromptKeys) request.prepared();
    assertThat(keys.plan().pins()).as("the fixture pins several prefixes").hasSizeGreaterThanOrEqualTo(2);
    Map<String, Integer> blocks = new HashMap<>();
    keys.plan().pins().forEach(pin -> blocks.put(pin.key(), pin.block()));

    GatedPins pins = new GatedPins();
    Context context = vertx.getOrCreateContext();
    CacheAffinityPolicy policy = PolicyRequests.policy(pins, "round-robin", context, Duration.ZERO);

    // both read the map before either has written: each claims the whole prompt for a deployment of its own
    List<CompletableFuture<Route>> routes = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      routes.add(PolicyRequests.routingOn(context, policy, request, deployments));
    }
    while (!routes.stream().allMatch(CompletableFuture::isDone)) {
      if (!pins.releaseOne(blocks)) {
        Thread.sleep(5);
      }
    }
    String first = routes.get(0).get().deployment().id();
    String second = routes.get(1).get().deployment().id();
    assertThat(second).as("the second request's deployment").isEqualTo(first);
    // and every pin of the prompt names that deployment, so the next request goes there too
    PinStore.Found now = pins.read(blocks.keySet());
    assertThat(now.owners().values()).isNotEmpty().allSatisfy(owner -> assertThat(owner).isEqualTo(first));
  }

  @Test
  void aRequestThatLostTheDecidingClaimPinsItsOwnLongerPrefixesWhereItWent() throws Exception {
    GatewayConfig config = ConfigLoader.parse("""
        router_settings: {routing_strategy: round-robin}
        model_list:
          - model_name: claude
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-1, api_base: "http://127.0.0.1:1"}
            model_info: {id: a1}
          - model_name: claude
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-2, api_base: "http://127.0.0.1:1"}
            model_info: {id: a2}
        """, Map.of());
    List<Deployment> deployments = config.deploymentsFor("claude");
    // two tenants' first sessions of one agent: the same tools and agent prompt, instructions and tasks of their own
    List<Session> sessions = new AgentWorkload(7, 2, 1).sessions();
    GatewayRequest first = PolicyRequests.prepared(config, "req_1", sessions.get(0).request(false));
    GatewayRequest second = PolicyRequests.prepared(config, "req_2", sessions.get(1).request(false));
    PromptKeys secondKeys = (PromptKeys) second.prepared();
    assertThat(secondKeys.plan().pins()).as("agent prompt, tenant's instructions, conversation").hasSize(3);

    LaggingPins pins = new LaggingPins();
    Context context = vertx.getOrCreateContext();
    CacheAffinityPolicy policy = PolicyRequests.policy(pins, "round-robin", context, Duration.ZERO);

    String winner = PolicyRequests.routeOn(context, policy, first, deployments).deployment().id();
    // the second request's node has not seen the first's pins yet: it claims everything for the other deployment
    // and loses the agent prompt, the deciding claim
    pins.lagging = true;
    Route followed = PolicyRequests.routeOn(context, policy, second, deployments);
    pins.lagging = false;
    assertThat(followed.deployment().id()).as("it follows the winner").isEqualTo(winner);
    Set<String> own = new java.util.HashSet<>();
    secondKeys.plan().pins().forEach(pin -> own.add(pin.key()));
    assertThat(pins.read(own).owners()).as("its next turn finds its own prefixes there, not only the agent's")
        .hasSize(3).allSatisfy((key, owner) -> assertThat(owner).isEqualTo(winner));
  }

  /**
   * An in-memory pin store whose writes wait: each key of each write is applied alone, when {@link #releaseOne}
   * picks it, as the members owning a prompt's keys each apply their part. Reads see only what was applied.
   */
  private static final class GatedPins extends ForwardingPins {

    private final List<Pending> pending = new ArrayList<>();

    private record Pending(Write write, String key, Batch batch, long order) {
    }

    private static final class Batch {
      final CompletableFuture<Found> done = new CompletableFuture<>();
      final Map<String, String> owners = new HashMap<>();
      final Map<String, Long> warming = new HashMap<>();
      final Map<String, Long> expiresAt = new HashMap<>();
      final List<String> changed = new ArrayList<>();
      int left;
    }

    private long counter;
    private String lastWriter;

    @Override
    public synchronized CompletionStage<Found> write(Map<Write, Set<String>> writes) {
      Batch batch = new Batch();
      writes.forEach((write, keys) -> keys.forEach(key -> {
        pending.add(new Pending(write, key, batch, counter++));
        batch.left++;
      }));
      if (batch.left == 0) {
        batch.done.complete(Found.NOTHING);
      }
      return batch.done;
    }

    /**
     * Applies one waiting key write: of the first writer (by deployment) its shortest key, of any other its longest,
     * the order in which claims made together would split. False when nothing waits.
     */
    boolean releaseOne(Map<String, Integer> blocks) {
      Pending next;
      synchronized (this) {
        if (pending.isEmpty()) {
          return false;
        }
        String firstWriter = pending.stream().min(Comparator.comparingLong(Pending::order)).orElseThrow()
            .write().scope();
        Comparator<Pending> hostile = Comparator.comparingInt(p -> p.write().scope().equals(firstWriter)
            ? blocks.getOrDefault(p.key(), Integer.MAX_VALUE) : -blocks.getOrDefault(p.key(), Integer.MAX_VALUE));
        // the writers take turns
        String writer = pending.stream().map(p -> p.write().scope()).filter(scope -> !scope.equals(lastWriter))
            .findFirst().orElse(lastWriter);
        lastWriter = writer;
        String chosen = writer;
        next = pending.stream().filter(p -> p.write().scope().equals(chosen)).min(hostile).orElseThrow();
        pending.remove(next);
      }
      Found found = applied.write(Map.of(next.write(), Set.of(next.key()))).toCompletableFuture().join();
      Batch batch = next.batch();
      batch.owners.putAll(found.owners());
      batch.warming.putAll(found.warming());
      batch.expiresAt.putAll(found.expiresAt());
      batch.changed.addAll(found.changed());
      if (--batch.left == 0) {
        batch.done.complete(new Found(batch.owners, batch.warming, batch.expiresAt, Set.copyOf(batch.changed)));
      }
      return true;
    }
  }
}
