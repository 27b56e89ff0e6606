package dev.affinity.benchmarks.hits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.affinity.emulator.workload.Usage;
import dev.affinity.router.cache.Price;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyResultTest {

  private static PolicyResult.Sent sent(String session, int turn, String deployment, int status, Usage usage) {
    return new PolicyResult.Sent(session, "t1", turn, 1000L * turn, deployment, "-", status, usage);
  }

  @Test
  void efficiencyIsReadsOverTheIdealsAndFailuresCountAsErrors() {
    Usage idealUsage = new Usage(100, 1_000, 9_000, 50);
    PolicyResult ideal = new PolicyResult(TenantWorkload.Kind.SHARED_AGENT, Policy.IDEAL, idealUsage,
        Map.of("d1", 3L), List.of(), 0);
    Usage spread = new Usage(100, 2_800, 7_200, 50);
    PolicyResult random = new PolicyResult(TenantWorkload.Kind.SHARED_AGENT, Policy.RANDOM, spread,
        Map.of("d1", 2L, "d2", 1L, "d3", 1L),
        List.of(sent("a", 1, "d1", 200, new Usage(50, 1_400, 3_600, 25)), sent("a", 2, "d2", 200,
            new Usage(50, 1_400, 3_600, 25)), sent("b", 1, "d1", 200, Usage.ZERO), sent("b", 2, "d3", 529,
            Usage.ZERO)), 0);

    assertThat(random.efficiency(ideal)).isCloseTo(0.8, within(1e-9));
    assertThat(random.cacheReadShare()).isCloseTo(7_200.0 / 10_100, within(1e-9));
    assertThat(random.busiestShare()).isCloseTo(0.5, within(1e-9));
    assertThat(random.errors()).isEqualTo(1);
    // "a" went to two deployments; "b" answered only on d1
    assertThat(random.sessionsOnOneDeployment()).isEqualTo(1);
    assertThat(random.sessions()).isEqualTo(2);
    assertThat(random.answered()).isEqualTo(new Usage(100, 2_800, 7_200, 50));
    Price price = Price.of(3e-6, 15e-6);
    assertThat(random.costUsd(price)).isCloseTo((100 * 3 + 2_800 * 3.75 + 7_200 * 0.3 + 50 * 15) / 1e6, within(1e-9));
  }
}
