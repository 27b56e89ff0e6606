package dev.affinity.router.routing;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class DeploymentLoadTest {

  private final AtomicLong now = new AtomicLong(1_000_000);
  private final DeploymentLoad load = new DeploymentLoad(now::get);

  @Test
  void theClusterLoadIsThisNodesLiveCountsPlusWhatTheOthersPublished() {
    load.started("a");
    load.started("a");
    load.finished("a", 1_000);
    load.others(Map.of("a", new DeploymentLoad.Counts(3, 40, 9_000), "b", new DeploymentLoad.Counts(1, 5, 10)));

    assertThat(load.of("a")).isEqualTo(new DeploymentLoad.Counts(4, 42, 10_000));
    assertThat(load.of("b")).isEqualTo(new DeploymentLoad.Counts(1, 5, 10));
    assertThat(load.own()).as("only this node's counts are published")
        .isEqualTo(Map.of("a", new DeploymentLoad.Counts(1, 2, 1_000)));
  }

  @Test
  void requestsAndTokensOlderThanAMinuteNoLongerCount() {
    load.started("a");
    load.finished("a", 500);
    now.addAndGet(30_000);
    load.started("a");
    now.addAndGet(30_000);
    assertThat(load.of("a").requestsPerMinute()).isEqualTo(1);
    assertThat(load.of("a").tokensPerMinute()).isZero();
    assertThat(load.of("a").inFlight()).as("one still running").isEqualTo(1);
  }
}
