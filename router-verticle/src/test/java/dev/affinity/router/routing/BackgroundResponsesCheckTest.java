package dev.affinity.router.routing;

import dev.affinity.model.CallOutcome;
import dev.affinity.model.Caller;
import dev.affinity.model.GatewayReply;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.RouteKind;
import dev.affinity.model.TokenUsage;
import dev.affinity.model.UsageReport;
import dev.affinity.model.config.ConfigLoader;
import dev.affinity.model.config.GatewayConfig;
import dev.affinity.provider.translate.ResponseIds;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The node's own reads of background responses no client reads back, without an upstream: each is read until it is
 * over, then its call is booked once; a response a client's read booked is not read again; and a node's routers read
 * back at most so many at once, so that abandoned responses cannot fill its heap.
 */
class BackgroundResponsesCheckTest {

  private final Vertx vertx = Vertx.vertx();
  private final GatewayConfig config = config();
  private final OwedUsage owed = OwedUsage.inMemory();
  private final Queue<String> reads = new ConcurrentLinkedQueue<>();
  private final Queue<UsageReport> booked = new ConcurrentLinkedQueue<>();
  private final Map<String, String> statuses = new ConcurrentHashMap<>();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static GatewayConfig config() {
    try {
      return ConfigLoader.parse("""
          model_list:
          - model_name: gpt-4o
            litellm_params: {model: openai/gpt-4o, api_key: sk-a}
            model_info: {id: oa-1}
          """, Map.of());
    } catch (Exception invalid) {
      throw new IllegalStateException(invalid);
    }
  }

  /** Answers every read with the status the response was made with, and 9 output tokens when it is over. */
  private Future<GatewayReply> read(ProviderCall call) {
    String id = call.request().storedId();
    reads.add(id);
    String status = statuses.get(id);
    boolean over = !status.equals("in_progress");
    String body = "{\"id\":\"" + id + "\",\"object\":\"response\",\"status\":\"" + status + "\"}";
    TokenUsage usage = over ? new TokenUsage(100, 0, 0, 0, 0, 9) : TokenUsage.NONE;
    return Future.succeededFuture(new GatewayReply(200, Map.of(), Buffer.buffer(body), null, "oa-1", RouteKind.STORED,
        new CallOutcome(200, usage, null, UsageReport.Timing.UNKNOWN)));
  }

  private BackgroundResponses responses(Context context, int maxChecks, long firstCheckMillis) {
    return responses(context, new BackgroundChecks(maxChecks), firstCheckMillis);
  }

  private BackgroundResponses responses(Context context, BackgroundChecks checks, long firstCheckMillis) {
    return new BackgroundResponses(owed, context, Duration.ofMillis(firstCheckMillis), config::deployment,
        (deployment, call) -> read(call), booked::add, checks);
  }

  /** A new response of {@code status}, which {@code responses} now owes the call {@code requestId} for: its id. */
  private String owing(Context context, BackgroundResponses responses, String status, String requestId)
      throws Exception {
    String id = id(status);
    onContext(context, () -> responses.owe(id, call(requestId)));
    return id;
  }

  private static BackgroundCall call(String requestId) {
    return new BackgroundCall(new UsageReport.Pending(requestId, "gpt-4o", "oa-1", RouteKind.CLAIMED, false,
        Caller.ADMIN), 200, UsageReport.Timing.UNKNOWN);
  }

  private String id(String status) {
    String id = ResponseIds.of("oa-1", "resp_" + UUID.randomUUID());
    statuses.put(id, status);
    return id;
  }

  private void onContext(Context context, Runnable action) throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    context.runOnContext(v -> {
      action.run();
      done.complete(null);
    });
    done.get(10, TimeUnit.SECONDS);
  }

  private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
    for (int i = 0; i < 200 && !condition.getAsBoolean(); i++) {
      Thread.sleep(10);
    }
  }

  @Test
  void aResponseIsReadBackUntilItIsOverThenBookedOnce() throws Exception {
    Context context = vertx.getOrCreateContext();
    BackgroundResponses responses = responses(context, 10, 20);
    String completed = owing(context, responses, "completed", "req-c");
    await(() -> !booked.isEmpty());
    assertThat(booked).singleElement().satisfies(report -> {
      assertThat(report.requestId()).isEqualTo("req-c");
      assertThat(report.usage().outputTokens()).isEqualTo(9);
    });
    assertThat(reads).containsExactly(completed);
    assertThat(owed.owes(completed).toCompletableFuture().get()).isFalse();

    // still running at the first read: read again, twice as late, and not booked meanwhile
    String running = owing(context, responses, "in_progress", "req-r");
    await(() -> reads.stream().filter(running::equals).count() >= 2);
    assertThat(reads.stream().filter(running::equals).count()).isGreaterThanOrEqualTo(2);
    assertThat(booked).hasSize(1);
    assertThat(owed.owes(running).toCompletableFuture().get()).isTrue();
  }

  @Test
  void aResponseAClientsReadBookedIsNotReadAgain() throws Exception {
    Context context = vertx.getOrCreateContext();
    BackgroundResponses responses = responses(context, 10, 300);
    String completed = owing(context, responses, "completed", "req-1");
    assertThat(owed.settle(completed).toCompletableFuture().get()).isPresent(); // as a client's read does, first
    Thread.sleep(700); // past the node's first read
    assertThat(owed.owes(completed).toCompletableFuture().get()).isFalse();
    assertThat(reads).isEmpty();
    assertThat(booked).isEmpty();
  }

  @Test
  void aRouterReadsBackAtMostSoManyAtOnce() throws Exception {
    Context context = vertx.getOrCreateContext();
    BackgroundResponses responses = responses(context, 3, 20);
    List<String> ids = List.of(id("completed"), id("failed"), id("cancelled"), id("incomplete"));
    onContext(context, () -> ids.forEach(id -> responses.owe(id, call("req-" + id))));
    await(() -> booked.size() >= 3);
    Thread.sleep(200);
    assertThat(reads).containsExactlyInAnyOrderElementsOf(ids.subList(0, 3));
    assertThat(booked).hasSize(3);
    assertThat(owed.owes(ids.get(3)).toCompletableFuture().get()).as("left to a client's read").isTrue();

    // the reads done, there is room again
    String later = owing(context, responses, "completed", "req-later");
    await(() -> booked.size() >= 4);
    assertThat(reads).contains(later);
  }

  /** The bound is the node's: its routers, one per event loop, share it (it was each router's: cores times more). */
  @Test
  void theNodesRoutersShareTheBound() throws Exception {
    BackgroundChecks node = new BackgroundChecks(2);
    Context first = vertx.getOrCreateContext();
    Context second = vertx.getOrCreateContext();
    BackgroundResponses one = responses(first, node, 300);
    BackgroundResponses other = responses(second, node, 300);
    String a = owing(first, one, "completed", "req-a");
    String b = owing(second, other, "completed", "req-b");
    String c = owing(second, other, "completed", "req-c");
    await(() -> booked.size() >= 2);
    Thread.sleep(500);
    assertThat(reads).containsExactlyInAnyOrder(a, b);
    assertThat(owed.owes(c).toCompletableFuture().get()).as("left to a client's read").isTrue();
  }
}
