package dev.affinity.router.affinity;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.emulator.AccountCounters;
import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.emulator.workload.Replay;
import dev.affinity.emulator.workload.ReplaySummary;
import dev.affinity.router.TestGateway;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The product promise, measured by the provider: with affinity, three deployments read from cache (within 1%) what
 * one deployment would; without it, the same replay loses reads. The emulator's own counters are the judge.
 */
class AffinityReplayTest {

  private static final String ALIAS = "claude-sonnet-4-5";

  private static Vertx vertx;
  private static UpstreamEmulator emulator;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    EmulatorOptions options = new EmulatorOptions().setLatency(LatencyModel.ZERO).addAccount("ideal", "sk-ideal");
    for (String account : List.of("on-1", "on-2", "on-3", "off-1", "off-2", "off-3", "bal-1", "bal-2",
        "bal-3")) {
      options.addAccount(account, "sk-" + account);
    }
    emulator = await(UpstreamEmulator.start(vertx, options));
  }

  @AfterAll
  static void stop() throws Exception {
    await(emulator.close());
    await(vertx.close());
  }

  private static String config(String prefix, String routerSettings) {
    StringBuilder yaml = new StringBuilder(routerSettings).append("model_list:\n");
    for (int i = 1; i <= 3; i++) {
      yaml.append("""
            - model_name: %s
              litellm_params: {model: anthropic/claude-sonnet-4-5-20250929, api_key: sk-%s-%d, api_base: "%s"}
              model_info: {id: %s-%d}
          """.formatted(ALIAS, prefix, i, emulator.baseUrl(), prefix, i));
    }
    return yaml.toString();
  }

  private static ReplaySummary replay(String baseUrl, String key, String label, Path dir) throws Exception {
    Path summary = dir.resolve(label + ".json");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit = Replay.run(new String[] {"--base-url", baseUrl, "--api-key", key, "--model", ALIAS,
        "--tenants", "3", "--sessions", "4", "--turns", "8", "--seed", "2026", "--concurrency", "1",
        "--label", label, "--summary-out", summary.toString(), "--quiet"},
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(out, true, StandardCharsets.UTF_8));
    assertThat(exit).as(out.toString(StandardCharsets.UTF_8)).isZero();
    ReplaySummary result = ReplaySummary.fromJson(new ObjectMapper().readTree(summary.toFile()));
    assertThat(result.errors()).isZero();
    return result;
  }

  private static long reads(String... accounts) {
    long reads = 0;
    for (String account : accounts) {
      AccountCounters counters = emulator.counters(account);
      reads += counters.cacheReadInputTokens();
    }
    return reads;
  }

  private static long writes(String... accounts) {
    long writes = 0;
    for (String account : accounts) {
      writes += emulator.counters(account).cacheCreationInputTokens();
    }
    return writes;
  }

  @Test
  void affinityReadsWhatOneDeploymentWouldAndShufflingLosesIt(@TempDir Path dir) throws Exception {
    ReplaySummary ideal = replay(emulator.baseUrl(), "sk-ideal", "ideal", dir);
    // placement by cache alone: balance bounds no request can pass
    try (TestGateway on = TestGateway.start(config("on", "router_settings: {balance_abs_threshold: 1000000}\n"))) {
      ReplaySummary withAffinity = replay(on.baseUrl(), "anything", "on", dir);
      assertThat(withAffinity.maxDeploymentsPerSession()).isEqualTo(1);
    }
    // the default balance bounds: new sessions spread, each stays on one deployment
    try (TestGateway balanced = TestGateway.start(config("bal", ""))) {
      ReplaySummary withBalance = replay(balanced.baseUrl(), "anything", "bal", dir);
      assertThat(withBalance.maxDeploymentsPerSession()).isEqualTo(1);
    }
    try (TestGateway off = TestGateway.start(config("off",
        "router_settings: {enable_prompt_cache_affinity: false, routing_strategy: simple-shuffle}\n"))) {
      replay(off.baseUrl(), "anything", "off", dir);
    }

    long idealReads = reads("ideal");
    long onReads = reads("on-1", "on-2", "on-3");
    long offReads = reads("off-1", "off-2", "off-3");
    System.out.printf("cache reads: ideal=%d affinity=%d (%.2f%%) shuffle=%d (%.2f%%); writes: ideal=%d affinity=%d"
            + " shuffle=%d%n", idealReads, onReads, 100.0 * onReads / idealReads, offReads,
        100.0 * offReads / idealReads, writes("ideal"), writes("on-1", "on-2", "on-3"),
        writes("off-1", "off-2", "off-3"));
    assertThat(idealReads).isPositive();
    assertThat(ideal.cacheReadShare()).isGreaterThan(0.5);
    assertThat((double) onReads).isCloseTo(idealReads, org.assertj.core.data.Percentage.withPercentage(1));
    assertThat(writes("on-1", "on-2", "on-3")).isLessThanOrEqualTo((long) (writes("ideal") * 1.01));
    // balance trades a few writes of the shared prefixes for spread: reads stay within 1% of the ideal, and no
    // deployment takes every request
    long balReads = reads("bal-1", "bal-2", "bal-3");
    long busiest = List.of("bal-1", "bal-2", "bal-3").stream().mapToLong(a -> emulator.counters(a).requests())
        .max().orElseThrow();
    long total = List.of("bal-1", "bal-2", "bal-3").stream().mapToLong(a -> emulator.counters(a).requests()).sum();
    System.out.printf("balanced: reads=%d (%.2f%%) writes=%d busiest=%d of %d%n", balReads,
        100.0 * balReads / idealReads, writes("bal-1", "bal-2", "bal-3"), busiest, total);
    assertThat((double) balReads).isCloseTo(idealReads, org.assertj.core.data.Percentage.withPercentage(1));
    assertThat(busiest).isLessThan(total);
    // shuffling writes each session's prefix on every deployment it lands on, and reads less
    assertThat(offReads).isLessThan(idealReads);
    assertThat(writes("off-1", "off-2", "off-3")).isGreaterThan(2 * writes("ideal"));
  }
}
