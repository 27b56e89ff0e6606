package dev.affinity.router.routing;

import dev.affinity.model.GatewayRequest;
import dev.affinity.model.config.ConfigLoader;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.GatewayConfig;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The warm-up wait: of concurrent first requests for one prompt on one deployment, one goes upstream and the others
 * wait for its answer, or the provider is sent the prompt more than once, each time as a cache write.
 */
class WarmUpWaitTest {

  private final Vertx vertx = Vertx.vertx();

  /** One deployment of the alias: every request of the prompt goes there. */
  private static GatewayConfig oneDeployment() throws Exception {
    return ConfigLoader.parse("""
        model_list:
          - model_name: claude
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-1, api_base: "http://127.0.0.1:1"}
            model_info: {id: a1}
        """, Map.of());
  }

  /** Two deployments of the alias: round-robin sends two first requests to different ones. */
  private static GatewayConfig twoDeployments() throws Exception {
    return ConfigLoader.parse("""
        model_list:
          - model_name: claude
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-1, api_base: "http://127.0.0.1:1"}
            model_info: {id: a1}
          - model_name: claude
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-2, api_base: "http://127.0.0.1:2"}
            model_info: {id: a2}
        """, Map.of());
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /**
   * Two requests decided in the same millisecond (two event loops of a node decide at once), whose claims split the
   * prompt's keys between them: each writes some keys' cache entries, and both carry the same warm-up mark.
   */
  @Test
  void ofTwoRequestsWarmingUpInTheSameMillisecondOneWaitsForTheOther() throws Exception {
    GatewayConfig config = oneDeployment();
    List<Deployment> deployments = config.deploymentsFor("claude");
    GatewayRequest request = PolicyRequests.agentTurn(config);
    assertThat(((PromptKeys) request.prepared()).plan().pins()).as("the fixture pins several prefixes")
        .hasSizeGreaterThanOrEqualTo(2);

    HeldPins pins = new HeldPins();
    Context context = vertx.getOrCreateContext();
    long sameMillisecond = System.currentTimeMillis();
    CacheAffinityPolicy policy = PolicyRequests.policy(pins, "round-robin", context, Duration.ofMinutes(1))
        .timedBy(() -> sameMillisecond);

    CompletableFuture<Route> first = PolicyRequests.routingOn(context, policy, request, deployments);
    CompletableFuture<Route> second = PolicyRequests.routingOn(context, policy, request, deployments);
    // each claims the deciding prefix: the first's claim lands first and it claims the longer prefixes; the second's
    // finds the prefix the deployment's already, and it claims the longer prefixes too
    pins.awaitWrites(2).release(0).awaitWrites(3).release(1).awaitWrites(4);
    // the second's claims of the longer prefixes land first: it wins them, and the first keeps the deciding one
    pins.release(3).release(2);

    CompletableFuture.anyOf(first, second).get(10, TimeUnit.SECONDS);
    Thread.sleep(300); // many warm-up polls: a request not waiting has been decided by now
    assertThat(List.of(first, second)).as("exactly one request goes upstream, the other waits for its answer")
        .filteredOn(CompletableFuture::isDone).hasSize(1);
    Route goes = (first.isDone() ? first : second).get();
    CompletableFuture<Route> waits = first.isDone() ? second : first;
    assertThat(goes.warming()).as("the one that goes writes some of the prompt's keys").isNotEmpty();

    context.runOnContext(answered -> policy.answered(goes));
    pins.awaitWrites(5).release(4); // its answer ends its pins' warm-up
    assertThat(waits.get(10, TimeUnit.SECONDS).deployment().id()).as("the other goes once it is answered")
        .isEqualTo("a1");
  }

  /**
   * A request that lost the prompt's deciding prefix to another deployment follows it there and pins the longer
   * prefixes there too. Those are cached nowhere until it is answered, so they warm up under its mark: a third
   * request that finds them waits for it. They were pinned warm (mark 0), and under load such third requests went
   * upstream at once and wrote the prompt again (WarmUpTest: 3 and 19 writers of 20 in CI runs).
   */
  @Test
  void theLongerPrefixesAFollowerPinsWarmUpUntilItIsAnswered() throws Exception {
    GatewayConfig config = twoDeployments();
    List<Deployment> deployments = config.deploymentsFor("claude");
    GatewayRequest request = PolicyRequests.agentTurn(config);
    HeldPins pins = new HeldPins();
    Context context = vertx.getOrCreateContext();
    CacheAffinityPolicy policy = PolicyRequests.policy(pins, "round-robin", context, Duration.ofMinutes(1));

    CompletableFuture<Route> first = PolicyRequests.routingOn(context, policy, request, deployments);
    CompletableFuture<Route> second = PolicyRequests.routingOn(context, policy, request, deployments);
    // both claim the deciding prefix, each for the deployment round-robin gave it; the first's lands first
    pins.awaitWrites(2).release(0).awaitWrites(3);
    // the second lost it to the other deployment: it follows there and claims the longer prefixes, and those claims
    // land before the first's own
    pins.release(1).awaitWrites(4).release(3).release(2);
    Route goes = first.get(10, TimeUnit.SECONDS);
    assertThat(goes.deployment().id()).isEqualTo("a1");

    CompletableFuture<Route> third = PolicyRequests.routingOn(context, policy, request, deployments);
    Thread.sleep(300); // many warm-up polls: a request not waiting has been decided by now
    assertThat(second).as("the follower, while the first is not answered").isNotDone();
    assertThat(third).as("a request finding the longer prefixes, while the follower that pinned them is not answered")
        .isNotDone();

    context.runOnContext(answered -> policy.answered(goes));
    pins.releasePending();
    Route follower = second.get(10, TimeUnit.SECONDS);
    assertThat(follower.deployment().id()).isEqualTo("a1");
    assertThat(follower.warming()).as("the follower writes the longer prefixes it pinned").isNotEmpty();
    Thread.sleep(300);
    assertThat(third).as("the third, while the follower is not answered").isNotDone();

    context.runOnContext(answered -> policy.answered(follower));
    pins.releasePending();
    Route last = third.get(10, TimeUnit.SECONDS);
    assertThat(last.deployment().id()).isEqualTo("a1");
    assertThat(last.warming()).as("it reads what the two wrote").isEmpty();
  }

  /**
   * A request of another node finds the prompt claimed and warming (the claim's answer says so), while its node's
   * view has not yet received the claim's map event: the view's silence must not end the wait.
   */
  @Test
  void aViewThatHasNotSeenTheClaimYetDoesNotEndTheWait() throws Exception {
    GatewayConfig config = oneDeployment();
    List<Deployment> deployments = config.deploymentsFor("claude");
    GatewayRequest request = PolicyRequests.agentTurn(config);
    LaggingPins pins = new LaggingPins();
    Context context = vertx.getOrCreateContext();
    CacheAffinityPolicy policy = PolicyRequests.policy(pins, "round-robin", context, Duration.ofMinutes(1));

    Route first = PolicyRequests.routeOn(context, policy, request, deployments);
    assertThat(first.warming()).as("the first request writes the prompt").isNotEmpty();
    pins.lagging = true;
    CompletableFuture<Route> second = PolicyRequests.routingOn(context, policy, request, deployments);
    Thread.sleep(300); // many warm-up polls, each reading a view that does not hold the prompt's keys yet
    assertThat(second).as("the second request, while the first is not answered").isNotDone();

    pins.lagging = false;
    context.runOnContext(answered -> policy.answered(first));
    assertThat(second.get(10, TimeUnit.SECONDS).warming()).as("it reads what the first wrote").isEmpty();
  }

  /** An in-memory pin store whose writes, each applied whole, wait until the test releases them, by their order. */
  private static final class HeldPins extends ForwardingPins {

    private record Held(Map<Write, Set<String>> writes, CompletableFuture<Found> done) {
    }

    private final List<Held> held = new ArrayList<>();

    @Override
    public synchronized CompletionStage<Found> write(Map<Write, Set<String>> writes) {
      Held write = new Held(writes, new CompletableFuture<>());
      held.add(write);
      notifyAll();
      return write.done;
    }

    synchronized HeldPins awaitWrites(int count) throws InterruptedException {
      long deadline = System.currentTimeMillis() + 10_000;
      while (held.size() < count && System.currentTimeMillis() < deadline) {
        wait(100);
      }
      assertThat(held).as("writes made").hasSizeGreaterThanOrEqualTo(count);
      return this;
    }

    HeldPins release(int index) {
      Held write;
      synchronized (this) {
        write = held.get(index);
      }
      write.done.complete(applied.write(write.writes()).toCompletableFuture().join());
      return this;
    }

    /** Applies every write still held, in order, and the ones they lead to (an answer's end of warm-up, refreshes). */
    void releasePending() throws InterruptedException {
      long deadline = System.currentTimeMillis() + 1_000;
      while (System.currentTimeMillis() < deadline) {
        List<Held> pending;
        synchronized (this) {
          pending = held.stream().filter(write -> !write.done.isDone()).toList();
        }
        for (Held write : pending) {
          write.done.complete(applied.write(write.writes()).toCompletableFuture().join());
        }
        Thread.sleep(20);
      }
    }
  }
}
