package dev.affinity.router.routing;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class DeploymentHealthTest {

  private final AtomicLong now = new AtomicLong(1_000_000);
  private final DeploymentHealth health = new DeploymentHealth(3, 5_000, now::get);

  @Test
  void aFailureBeyondAllowedFailsWithinAMinuteCoolsADeploymentDownUntilTheCooldownEnds() {
    assertThat(health.record("a", 500)).isEmpty();
    assertThat(health.record("a", 529)).isEmpty();
    assertThat(health.record("a", 503)).as("allowed_fails: 3 failures are allowed").isEmpty();
    assertThat(health.healthy("a")).isTrue();
    assertThat(health.record("a", 429)).as("the cooldown to publish to the cluster").hasValue(now.get() + 5_000);
    assertThat(health.healthy("a")).isFalse();
    now.addAndGet(4_999);
    assertThat(health.healthy("a")).isFalse();
    now.addAndGet(1);
    assertThat(health.healthy("a")).isTrue();
  }

  @Test
  void failuresCountWithinAMinuteWhateverSucceedsBetweenThem() {
    health.record("a", 500);
    health.record("a", 200);
    health.record("a", 500);
    health.record("a", 400);
    health.record("a", 500);
    assertThat(health.healthy("a")).as("three failures, the client's own 400 is not one").isTrue();
    assertThat(health.record("a", 502)).as("the fourth in the minute, successes between or not").isPresent();
  }

  @Test
  void failuresOlderThanAMinuteNoLongerCount() {
    health.record("a", 500);
    health.record("a", 500);
    now.addAndGet(30_000);
    health.record("a", 500);
    now.addAndGet(30_000); // the first two are a minute old now
    assertThat(health.record("a", 500)).isEmpty();
    assertThat(health.healthy("a")).isTrue();
  }

  @Test
  void zeroAllowedFailsCoolsOnTheFirstFailure() {
    DeploymentHealth strict = new DeploymentHealth(0, 5_000, now::get);
    assertThat(strict.record("a", 200)).isEmpty();
    assertThat(strict.record("a", 529)).hasValue(now.get() + 5_000);
  }

  @Test
  void retryAfterCoolsForAsLongAsAsked() {
    health.coolFor("a", 30_000);
    health.coolFor("a", 1_000); // a shorter request does not shorten the cooldown
    now.addAndGet(29_000);
    assertThat(health.healthy("a")).isFalse();
    now.addAndGet(1_000);
    assertThat(health.healthy("a")).isTrue();
    assertThat(health.healthy("b")).isTrue();
  }

  @Test
  void aCooldownFromAnotherNodeIsAppliedAndTheLaterEndWins() {
    health.coolUntil("a", now.get() + 10_000);
    assertThat(health.coolUntil("a", now.get() + 1_000)).isEqualTo(now.get() + 10_000);
    now.addAndGet(9_999);
    assertThat(health.healthy("a")).isFalse();
    assertThat(health.cooledUntil("a")).as("what admin stats report").hasValue(now.get() + 1);
    now.addAndGet(1);
    assertThat(health.healthy("a")).isTrue();
    assertThat(health.cooledUntil("a")).isEmpty();
  }
}
