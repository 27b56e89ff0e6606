package dev.affinity.router.routing;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimitHeadroomTest {

  private final AtomicLong now = new AtomicLong(1_000_000);
  private final RateLimitHeadroom headroom = new RateLimitHeadroom(now::get);

  @Test
  void aDeploymentNobodyHasHeardFromHasHeadroom() {
    assertThat(headroom.has("a", null, null, 1)).isTrue();
  }

  @Test
  void anthropicRemainingRequestsRunOutThenRefillAtTheLimitPerMinute() {
    headroom.observe("a", Map.of("anthropic-ratelimit-requests-limit", "60",
        "anthropic-ratelimit-requests-remaining", "2"));
    assertThat(headroom.has("a", null, null, 1)).isTrue();
    headroom.dispatched("a");
    headroom.dispatched("a");
    assertThat(headroom.has("a", null, null, 1)).as("both left are taken by requests in flight").isFalse();
    now.addAndGet(1_000); // 60 per minute: one more each second
    assertThat(headroom.has("a", null, null, 1)).isTrue();
  }

  @Test
  void openAiHeadersCountToo() {
    headroom.observe("o", Map.of("x-ratelimit-limit-requests", "500", "x-ratelimit-remaining-requests", "0"));
    assertThat(headroom.has("o", null, null, 1)).isFalse();
    headroom.observe("t", Map.of("x-ratelimit-limit-tokens", "1000", "x-ratelimit-remaining-tokens", "0"));
    assertThat(headroom.has("t", null, null, 1)).isFalse();
  }

  @Test
  void aNewerReportReplacesTheEstimate() {
    headroom.observe("a", Map.of("anthropic-ratelimit-requests-remaining", "0"));
    assertThat(headroom.has("a", null, null, 1)).isFalse();
    headroom.observe("a", Map.of("anthropic-ratelimit-requests-remaining", "10"));
    assertThat(headroom.has("a", null, null, 1)).isTrue();
  }

  @Test
  void configuredRpmIsSharedByTheClusterMembers() {
    for (int i = 0; i < 5; i++) {
      headroom.dispatched("a");
    }
    assertThat(headroom.has("a", 10, null, 1)).isTrue();
    assertThat(headroom.has("a", 10, null, 2)).as("5 is this node's half of 10").isFalse();
    now.addAndGet(60_000);
    assertThat(headroom.has("a", 10, null, 2)).as("a minute later the window is empty").isTrue();
  }

  @Test
  void configuredTpmCountsTheTokensUsed() {
    headroom.used("a", 900);
    assertThat(headroom.has("a", null, 1_000, 1)).isTrue();
    headroom.used("a", 100);
    assertThat(headroom.has("a", null, 1_000, 1)).isFalse();
  }

  @Test
  void aRetryAfterOn429ExhaustsTheDeploymentForThatLong() {
    headroom.exhaustedFor("a", 2_000);
    assertThat(headroom.has("a", null, null, 1)).isFalse();
    now.addAndGet(2_000);
    assertThat(headroom.has("a", null, null, 1)).isTrue();
  }
}
