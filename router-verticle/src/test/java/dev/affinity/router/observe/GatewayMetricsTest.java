package dev.affinity.router.observe;

import dev.affinity.model.Caller;
import dev.affinity.model.RouteKind;
import dev.affinity.model.TokenUsage;
import dev.affinity.model.UsageReport;
import dev.affinity.model.config.ConfigLoader;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What one booked call adds to the metrics, without a node. */
class GatewayMetricsTest {

  private static GatewayMetrics metrics() throws Exception {
    return new GatewayMetrics(ConfigLoader.parse("""
      model_list:
        - model_name: sonnet
          litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-one, api_base: "http://127.0.0.1:1"}
          model_info: {id: d1}
      """, Map.of()));
  }

  private static UsageReport report(String deployment, RouteKind route, int status, TokenUsage usage) {
    return new UsageReport("req_1", "sonnet", deployment, route, status, false, 10, usage, null,
        new UsageReport.Timing(1_000_000, 5_000_000, 9_000_000));
  }

  @Test
  void aSessionThatMovedCountsItsWritesAsRewrittenAndAPinnedCallThatReadNothingAsAMiss() throws Exception {
    GatewayMetrics metrics = metrics();
    metrics.booked(report("d1", RouteKind.REPINNED, 200, new TokenUsage(10, 3000, 3000, 0, 0, 5)), 0.02, 0.01);
    metrics.booked(report("d1", RouteKind.PINNED, 200, new TokenUsage(10, 0, 0, 0, 0, 5)), 0.001, 0.001);
    metrics.booked(report("d1", RouteKind.PINNED, 200, new TokenUsage(10, 0, 0, 0, 2000, 5)), 0.001, 0.01);
    metrics.booked(report("d1", RouteKind.CLAIMED, 200, new TokenUsage(10, 500, 0, 500, 0, 5)), 0.01, 0.005);
    PrometheusText text = PrometheusText.parse(metrics.scrape());
    assertThat(text.sum("affinity_rewritten_tokens_total", Map.of("route", "repinned"))).isEqualTo(3000);
    assertThat(text.sum("affinity_rewritten_tokens_total")).isEqualTo(3000);
    assertThat(text.sum("affinity_pinned_miss_total")).isEqualTo(1);
    assertThat(text.sum("affinity_tokens_total", Map.of("type", "cache_write_5m"))).isEqualTo(3000);
    assertThat(text.sum("affinity_tokens_total", Map.of("type", "cache_write_1h"))).isEqualTo(500);
    // only the third call saved anything; the writes of the first and last cost more than no cache would have
    assertThat(text.sum("affinity_saved_usd_total")).isEqualTo(0.009, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(text.sum("affinity_upstream_latency_seconds_count")).isEqualTo(4);
    assertThat(text.sum("affinity_upstream_latency_seconds_sum")).isEqualTo(0.032, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void gaugesAddUpEveryRouterInstanceOfTheNode() throws Exception {
    GatewayMetrics metrics = metrics();
    assertThat(PrometheusText.parse(metrics.scrape()).sum("affinity_in_flight")).isZero();
    metrics.watch(id -> 2, id -> false, () -> 7, () -> 3);
    metrics.watch(id -> 3, id -> id.equals("d1"), () -> 7, () -> 3);
    PrometheusText text = PrometheusText.parse(metrics.scrape());
    assertThat(text.sum("affinity_in_flight", Map.of("deployment", "d1", "alias", "sonnet"))).isEqualTo(5);
    assertThat(text.sum("affinity_cooldown", Map.of("deployment", "d1"))).isEqualTo(1);
    assertThat(text.sum("affinity_pins_held")).isEqualTo(7);
    assertThat(text.sum("affinity_cluster_members")).isEqualTo(3);
  }

  @Test
  void callsOfVirtualKeysCarryTheirTeamAndKeyAliasNeverTheKeyAndBoundedInNumber() throws Exception {
    GatewayMetrics metrics = metrics();
    for (int team = 0; team < GatewayMetrics.MAX_TEAMS + 10; team++) {
      Caller caller = new Caller("key-id-" + team, "abc123hash" + team, "ci-bot", "team-" + team, "team:team-" + team,
          false, true, "10.0.0.7");
      metrics.booked(new UsageReport("req_" + team, "sonnet", "d1", RouteKind.PINNED, 200, false, 10,
          new TokenUsage(10, 0, 0, 0, 100, 5), null, UsageReport.Timing.UNKNOWN, caller), 0.001, 0.002);
    }
    metrics.booked(report("d1", RouteKind.PINNED, 200, new TokenUsage(10, 0, 0, 0, 100, 5)), 0.001, 0.002);
    String scraped = metrics.scrape();
    PrometheusText text = PrometheusText.parse(scraped);
    assertThat(text.sum("affinity_requests_total", Map.of("team", "team-0", "key_alias", "ci-bot"))).isEqualTo(1);
    assertThat(text.sum("affinity_tokens_total", Map.of("team", "team-7", "type", "cache_read"))).isEqualTo(100);
    // past the bound, further teams share one label value; the master key's calls have none
    assertThat(text.sum("affinity_requests_total", Map.of("team", "other"))).isEqualTo(10);
    assertThat(text.sum("affinity_requests_total", Map.of("team", "none", "key_alias", "none"))).isEqualTo(1);
    assertThat(text.named("affinity_requests_total").stream().map(sample -> sample.labels().get("team")).distinct())
        .hasSize(GatewayMetrics.MAX_TEAMS + 2);
    assertThat(scraped).doesNotContain("key-id-", "abc123hash", "10.0.0.7");
    // latencies stay per deployment
    assertThat(scraped).doesNotContainPattern("affinity_upstream_latency_seconds_count\\{[^}]*team=");
  }

  @Test
  void valuesOutsideTheConfigurationAndTheGatewaysWordsBecomeOther() throws Exception {
    GatewayMetrics metrics = metrics();
    metrics.booked(report("sk-forged\"deployment", null, 200, TokenUsage.NONE), 0, 0);
    metrics.refused(404, "sk-forged-type");
    PrometheusText text = PrometheusText.parse(metrics.scrape());
    assertThat(text.sum("affinity_requests_total", Map.of("alias", "other", "deployment", "other",
        "route", "other"))).isEqualTo(1);
    assertThat(text.sum("affinity_refused_total", Map.of("status", "404", "type", "other"))).isEqualTo(1);
    assertThat(metrics.scrape()).doesNotContain("sk-forged");
  }
}
