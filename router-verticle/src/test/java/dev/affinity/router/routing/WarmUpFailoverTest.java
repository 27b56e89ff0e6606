package dev.affinity.router.routing;

import dev.affinity.emulator.workload.AgentWorkload;
import dev.affinity.model.CallOutcome;
import dev.affinity.model.GatewayError;
import dev.affinity.model.GatewayReply;
import dev.affinity.model.GatewayRequest;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.RouteKind;
import dev.affinity.model.TokenUsage;
import dev.affinity.model.UsageReport;
import dev.affinity.model.config.ConfigLoader;
import dev.affinity.model.config.GatewayConfig;
import dev.affinity.model.provider.UpstreamCalls;
import dev.affinity.router.pins.InMemoryPinStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Concurrent first requests of one prompt wait for the first of them to be answered, so that only it writes the
 * prompt to a cache. When that first call fails and is retried on another deployment, the warm-up goes with it: the
 * waiting requests wait for the retry and then read what it wrote there. They were let go by the failed call, went
 * to the deployment that had failed, and each wrote the prompt (or failed over, each writing it on the next one).
 */
class WarmUpFailoverTest {

  private static final String TWO_DEPLOYMENTS = """
      model_list:
        - model_name: claude
          litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-1, api_base: "http://127.0.0.1:9"}
          model_info: {id: a1}
        - model_name: claude
          litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-2, api_base: "http://127.0.0.1:9"}
          model_info: {id: a2}
      router_settings: {num_retries: 1, warm_up_wait: 30, enable_prompt_cache_affinity: true}
      """;

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** One upstream call as the provider received it; the test answers it. */
  private record Call(String deployment, Promise<GatewayReply> answer) {
  }

  /** A provider that records every call and answers each when the test says. */
  private static final class ScriptedProvider extends VerticleBase implements UpstreamCalls {
    final List<Call> calls = new CopyOnWriteArrayList<>();

    @Override
    public Future<GatewayReply> call(ProviderCall call) {
      Promise<GatewayReply> answer = Promise.promise();
      calls.add(new Call(call.deployment().id(), answer));
      return answer.future();
    }

    Call awaitCall(int index) throws InterruptedException {
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (calls.size() <= index && System.nanoTime() < until) {
        Thread.sleep(5);
      }
      assertThat(calls).as("upstream calls made").hasSizeGreaterThan(index);
      return calls.get(index);
    }
  }

  private static GatewayReply reply(int status, String deployment) {
    String type = GatewayError.anthropicTypeOf(status);
    String body = status == 200
        ? "{\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"ok\"}]}"
        : "{\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"message\":\"no\"}}";
    return new GatewayReply(status, Map.of("content-type", "application/json"), Buffer.buffer(body), null,
        deployment, null, new CallOutcome(status, TokenUsage.NONE, status == 200 ? null : type,
        new UsageReport.Timing(1, 1, 1)));
  }

  /** A router on the two deployments over a provider, and {@code count} requests of one prompt to send through it. */
  private record Burst(NodeRouter router, List<GatewayRequest> requests) {

    /** Sends requests {@code from} (inclusive) to {@code to} (exclusive); their answers to come. */
    List<CompletableFuture<GatewayReply>> send(int from, int to) {
      return requests.subList(from, to).stream()
          .map(request -> router.route(request).toCompletionStage().toCompletableFuture()).toList();
    }
  }

  private Burst burst(ScriptedProvider provider, long promptSeed, int count) throws Exception {
    GatewayConfig config = ConfigLoader.parse(TWO_DEPLOYMENTS, Map.of());
    NodeRouter router = RouterStack.deploy(vertx, config, new InMemoryPinStore(), provider);
    byte[] prompt = AgentWorkload.agentRequestFixture(promptSeed);
    List<GatewayRequest> requests = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      requests.add(PolicyRequests.prepared(config, "req_" + i, prompt));
    }
    return new Burst(router, requests);
  }

  /** {@code call}'s answer, given on the event loop the provider runs on, as a real provider's is. */
  private void answer(Call call, int status) {
    vertx.runOnContext(go -> call.answer().complete(reply(status, call.deployment())));
  }

  /**
   * A first request whose final answer is an error (here a 400, never retried) cached nothing: one of the requests
   * waiting for it takes its warm-up over and writes the prompt, and the others wait for that one, then read it.
   * Before, the failure ended the warm-up and every waiting request went at once, each writing the prompt.
   */
  @Test
  void aFirstRequestThatFailsForGoodHandsItsWarmUpToOneOfTheWaiting() throws Exception {
    ScriptedProvider provider = new ScriptedProvider();
    Burst burst = burst(provider, 11, 4);

    CompletableFuture<GatewayReply> first = burst.send(0, 1).get(0);
    Call failing = provider.awaitCall(0);
    List<CompletableFuture<GatewayReply>> followers = burst.send(1, 4);
    Thread.sleep(300);
    assertThat(provider.calls).as("the others wait for the first request's answer").hasSize(1);

    answer(failing, 400);
    assertThat(first.get(10, TimeUnit.SECONDS).status()).isEqualTo(400);
    Call taker = provider.awaitCall(1);
    assertThat(taker.deployment()).as("where the prefix is pinned").isEqualTo(failing.deployment());
    Thread.sleep(300);
    assertThat(provider.calls).as("one waiting request took the warm-up over; the others wait for it").hasSize(2);

    answer(taker, 200);
    provider.awaitCall(3);
    Thread.sleep(100);
    assertThat(provider.calls).hasSize(4);
    assertThat(provider.calls.subList(2, 4)).extracting(Call::deployment)
        .containsOnly(failing.deployment());
    provider.calls.subList(2, 4).forEach(call -> answer(call, 200));
    for (CompletableFuture<GatewayReply> follower : followers) {
      assertThat(follower.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    }
  }

  /** A taker that fails too hands the warm-up on: still one writer at a time. */
  @Test
  void aTakerThatFailsTooHandsTheWarmUpOn() throws Exception {
    ScriptedProvider provider = new ScriptedProvider();
    Burst burst = burst(provider, 13, 4);
    List<CompletableFuture<GatewayReply>> all = new ArrayList<>(burst.send(0, 1));
    provider.awaitCall(0);
    all.addAll(burst.send(1, 4));
    Thread.sleep(200);
    answer(provider.calls.get(0), 400);
    answer(provider.awaitCall(1), 400);
    Call third = provider.awaitCall(2);
    Thread.sleep(300);
    assertThat(provider.calls).as("the second taker writes alone").hasSize(3);
    answer(third, 200);
    provider.awaitCall(3);
    answer(provider.calls.get(3), 200);
    assertThat(all.get(0).get(10, TimeUnit.SECONDS).status()).isEqualTo(400);
    long ok = 0;
    for (CompletableFuture<GatewayReply> request : all.subList(1, 4)) {
      ok += request.get(10, TimeUnit.SECONDS).status() == 200 ? 1 : 0;
    }
    assertThat(ok).isEqualTo(2);
  }

  @Test
  void requestsWaitingForAFirstRequestThatFailsOverWaitForItsRetryAndFollowIt() throws Exception {
    ScriptedProvider provider = new ScriptedProvider();
    Burst burst = burst(provider, 7, 3);

    CompletableFuture<GatewayReply> first = burst.send(0, 1).get(0);
    Call failing = provider.awaitCall(0);
    List<CompletableFuture<GatewayReply>> followers = burst.send(1, 3);
    Thread.sleep(300); // many warm-up polls: a request not waiting would have called by now
    assertThat(provider.calls).as("the others wait for the first request's answer").hasSize(1);

    answer(failing, 529);
    Call retry = provider.awaitCall(1);
    assertThat(retry.deployment()).as("the first request is retried on the other deployment")
        .isNotEqualTo(failing.deployment());
    Thread.sleep(300);
    assertThat(provider.calls).as("the others still wait: the prompt is not cached anywhere yet").hasSize(2);

    answer(retry, 200);
    assertThat(first.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    provider.awaitCall(3);
    Thread.sleep(100);
    assertThat(provider.calls.subList(2, provider.calls.size())).as("the others go where the retry wrote the prompt")
        .extracting(Call::deployment).containsExactly(retry.deployment(), retry.deployment());
    provider.calls.subList(2, 4).forEach(call -> answer(call, 200));
    for (CompletableFuture<GatewayReply> follower : followers) {
      GatewayReply reply = follower.get(10, TimeUnit.SECONDS);
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.route()).as("each follows the pin").isEqualTo(RouteKind.PINNED);
    }
  }
}
