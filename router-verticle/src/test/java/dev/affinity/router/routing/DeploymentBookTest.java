package dev.affinity.router.routing;

import dev.affinity.model.Caller;
import dev.affinity.model.GatewayError;
import dev.affinity.model.RouteKind;
import dev.affinity.model.TokenUsage;
import dev.affinity.model.UsageReport;
import dev.affinity.model.config.ConfigLoader;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.GatewayConfig;
import dev.affinity.router.cache.CostModel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

/** The one owner of per-deployment state, booked from one call's head and outcome. */
class DeploymentBookTest {

  private final AtomicLong now = new AtomicLong(1_000_000);
  private final GatewayConfig config = config();
  private final DeploymentBook book = new DeploymentBook(config, () -> 1, now::get);

  private static GatewayConfig config() {
    try {
      return ConfigLoader.parse("""
          model_list:
          - model_name: sonnet
            litellm_params:
              model: anthropic/claude-sonnet-4-5
              api_key: sk-a
            model_info: {id: a, input_cost_per_token: 0.000003, output_cost_per_token: 0.000015,
                         cache_read_input_token_cost: 0.0000003}
          router_settings:
            allowed_fails: 0
            cooldown_time: 30
          """, Map.of());
    } catch (Exception invalid) {
      throw new IllegalStateException(invalid);
    }
  }

  private static UsageReport report(int status, TokenUsage usage, String errorType) {
    return new UsageReport("req-1", "sonnet", "a", RouteKind.PINNED, status, false, 10, usage, errorType,
        UsageReport.Timing.UNKNOWN, Caller.ADMIN);
  }

  @Test
  void aCallIsInFlightFromDispatchToItsOutcome() {
    book.dispatched("a");
    assertThat(book.inFlight().count("a")).isEqualTo(1);
    assertThat(book.load().of("a").inFlight()).isEqualTo(1);
    book.finished(report(200, new TokenUsage(10, 0, 0, 0, 1000, 5), null));
    assertThat(book.inFlight().count("a")).isZero();
    assertThat(book.load().of("a").inFlight()).isZero();
  }

  @Test
  void anOutcomeIsCostedAndBookedInTheLedgerUnderTheAlias() {
    book.dispatched("a");
    DeploymentBook.Booked booked = book.finished(report(200, new TokenUsage(10, 0, 0, 0, 1000, 5), null));
    assertThat(booked.cost().cost()).isCloseTo(10 * 0.000003 + 1000 * 0.0000003 + 5 * 0.000015,
        offset(1e-12));
    assertThat(booked.cost().costWithoutCache()).isGreaterThan(booked.cost().cost());
    CacheLedger.Line line = book.ledger().get("sonnet").get("a");
    assertThat(line.requests()).isEqualTo(1);
    assertThat(line.cacheReadTokens()).isEqualTo(1000);
    assertThat(line.pinnedRequests()).isEqualTo(1);
    assertThat(line.pinnedMisses()).isZero();
  }

  /**
   * A background response's call: its slot is freed when it ends, and its tokens and cost are booked (once, as one
   * request) when its usage is known, as a call booked whole would be.
   */
  @Test
  void aCallEndedNowAndSettledLaterIsBookedAsOneCall() {
    TokenUsage usage = new TokenUsage(10, 0, 0, 0, 1000, 5);
    book.dispatched("a");
    assertThat(book.ended(report(200, TokenUsage.NONE, null))).isEmpty();
    assertThat(book.inFlight().count("a")).isZero();
    assertThat(book.load().of("a").inFlight()).isZero();
    assertThat(book.ledger().getOrDefault("sonnet", Map.of())).as("nothing booked until settled").isEmpty();
    CostModel.RequestCost cost = book.settled(report(200, usage, null));
    assertThat(cost.cost()).isCloseTo(10 * 0.000003 + 1000 * 0.0000003 + 5 * 0.000015, offset(1e-12));
    CacheLedger.Line line = book.ledger().get("sonnet").get("a");
    assertThat(line.requests()).isEqualTo(1);
    assertThat(line.cacheReadTokens()).isEqualTo(1000);
    assertThat(line.outputTokens()).isEqualTo(5);
    assertThat(book.load().of("a").tokensPerMinute()).isEqualTo(1015);
  }

  @Test
  void anUpstreamFailureCoolsTheDeploymentButAFailureOfTheGatewayDoesNot() {
    book.dispatched("a");
    assertThat(book.finished(report(502, TokenUsage.NONE, GatewayError.LOCAL_FAILURE)).cooledUntil()).isEmpty();
    assertThat(book.cooledUntil("a")).isEmpty();
    book.dispatched("a");
    assertThat(book.finished(report(529, TokenUsage.NONE, "overloaded_error")).cooledUntil())
        .hasValue(now.get() + 30_000);
    assertThat(book.cooledUntil("a")).hasValue(now.get() + 30_000);
    assertThat(book.eligibility().healthy(config.deployments()))
        .as("every deployment cooling: all are eligible rather than none").isEqualTo(config.deployments());
  }

  @Test
  void aRetryAfterWithA429SpendsTheQuotaAndWithA5xxCoolsTheDeployment() {
    DeploymentBook.Answered limited = book.answered("a", 429, Map.of("retry-after", "7"));
    assertThat(limited.retryAfterMillis()).isEqualTo(7_000);
    assertThat(limited.cooledUntil()).isEmpty();
    assertThat(book.cooledUntil("a")).isEmpty();
    assertThat(book.eligibility().hasHeadroom(config.deployments().get(0))).isFalse();

    DeploymentBook.Answered overloaded = book.answered("a", 529, Map.of("retry-after", "3600"));
    assertThat(overloaded.retryAfterMillis()).as("at most a minute").isEqualTo(60_000);
    assertThat(overloaded.cooledUntil()).hasValue(now.get() + 60_000);

    assertThat(book.answered("a", 200, Map.of("retry-after", "5")).retryAfterMillis()).isZero();
    assertThat(book.answered("a", 503, Map.of("retry-after", "soon")).cooledUntil()).isEmpty();
  }

  @Test
  void anotherNodesCooldownIsFollowed() {
    book.cooledElsewhere("a", now.get() + 1_000);
    assertThat(book.cooledUntil("a")).hasValue(now.get() + 1_000);
  }

  @Test
  void callsBookedFromSeveralLoopsAtOnceAreAllCountedAndAReadIsACopy() throws Exception {
    // every event loop's router books into the node's one book
    int threads = 4;
    int calls = 20_000;
    List<Map<String, Map<String, CacheLedger.Line>>> before = new ArrayList<>();
    atOnce(threads, () -> {
      for (int i = 0; i < calls; i++) {
        book.dispatched("a");
        book.finished(report(200, new TokenUsage(10, 0, 0, 0, 1000, 5), null));
      }
    }, () -> before.add(book.ledger()));

    CacheLedger.Line line = book.ledger().get("sonnet").get("a");
    assertThat(line.requests()).isEqualTo((long) threads * calls);
    assertThat(line.outputTokens()).isEqualTo(5L * threads * calls);
    assertThat(line.pinnedRequests()).isEqualTo((long) threads * calls);
    assertThat(book.inFlight().count("a")).isZero();
    assertThat(before.get(0)).as("a read taken before is not changed by later calls").isEmpty();
  }

  @Test
  void aParallelLimitHoldsForCallsSentFromSeveralLoopsAtOnce() throws Exception {
    // max_parallel_requests: 5; 8 loops each send calls as fast as they can, each call finished at once, and every
    // call that was let through checks that no more than 5 were in flight at that moment
    int limit = 5;
    int threads = 8;
    int tries = 20_000;
    AtomicLong overLimit = new AtomicLong();
    AtomicLong sent = new AtomicLong();
    atOnce(threads, () -> {
      for (int i = 0; i < tries; i++) {
        if (book.dispatched("a", limit)) {
          sent.incrementAndGet();
          if (book.inFlight().count("a") > limit) {
            overLimit.incrementAndGet();
          }
          book.finished(report(200, new TokenUsage(10, 0, 0, 0, 1000, 5), null));
        }
      }
    }, () -> { });

    assertThat(overLimit).as("calls in flight past the limit").hasValue(0);
    assertThat(sent.get()).as("calls were let through").isPositive();
    assertThat(book.ledger().get("sonnet").get("a").requests()).isEqualTo(sent.get());
    assertThat(book.inFlight().count("a")).isZero();
  }

  /**
   * Runs {@code work} on {@code threads} threads (the node's event loops) released at the same moment, after
   * {@code beforeRelease}, and waits for them all.
   */
  private static void atOnce(int threads, Runnable work, Runnable beforeRelease) throws InterruptedException {
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> loops = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread loop = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        work.run();
      });
      loop.start();
      loops.add(loop);
    }
    beforeRelease.run();
    go.countDown();
    for (Thread loop : loops) {
      loop.join(60_000);
    }
  }

  /** A deployment whose calls would cost nothing is named at start-up: its spend and budgets would count 0. */
  @Test
  void theDeploymentsWithoutAPriceAreTheOnesNeitherConfiguredNorListed() throws Exception {
    GatewayConfig mixed = ConfigLoader.parse("""
        model_list:
          - model_name: claude
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-1}
            model_info: {id: listed}
          - model_name: gpt
            litellm_params: {model: openai/gpt-5-codex, api_key: sk-2}
            model_info: {id: unpriced}
          - model_name: gpt
            litellm_params: {model: openai/gpt-5-codex, api_key: sk-3}
            model_info: {id: configured, input_cost_per_token: 0.00000125, output_cost_per_token: 0.00001}
          - model_name: "openai/*"
            litellm_params: {model: "openai/*", api_key: sk-4}
            model_info: {id: wildcard}
        """, Map.of());
    assertThat(DeploymentBook.unpriced(mixed)).extracting(Deployment::id).containsExactly("unpriced");
  }
}
