package dev.affinity.emulator.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplaySummaryTest {

  @Test
  void costUsesSonnetFourFivePrices() {
    Usage oneMillionEach = new Usage(1_000_000, 1_000_000, 1_000_000, 1_000_000);
    assertThat(Pricing.SONNET_4_5.costUsd(oneMillionEach)).isCloseTo(3.00 + 3.75 + 0.30 + 15.00, within(1e-9));
    assertThat(Pricing.SONNET_4_5.costUsd(new Usage(0, 0, 2_000, 0))).isCloseTo(0.0006, within(1e-12));
  }

  @Test
  void totalsCountAnsweredRequestsAndDeploymentsPerSession() {
    List<Exchange> exchanges = List.of(
        ok(1, "t1-s1", "dep-a", new Usage(100, 4000, 0, 50)),
        ok(1, "t1-s2", "dep-b", new Usage(100, 0, 4000, 50)),
        ok(2, "t1-s1", "dep-a", new Usage(10, 200, 4000, 50)),
        ok(2, "t1-s2", "dep-a", new Usage(10, 4200, 0, 50)),
        new Exchange(3, "t1-s1", "t1", 529, "dep-a", "-", Usage.ZERO, "overloaded_error"));

    ReplaySummary summary = ReplaySummary.of("affinity", exchanges);

    assertThat(summary.requests()).isEqualTo(5);
    assertThat(summary.errors()).isEqualTo(1);
    assertThat(summary.usage()).isEqualTo(new Usage(220, 8400, 8000, 200));
    assertThat(summary.promptTokens()).isEqualTo(16_620);
    assertThat(summary.cacheReadShare()).isCloseTo(8000.0 / 16_620, within(1e-12));
    assertThat(summary.costUsd())
        .isCloseTo((220 * 3.00 + 8400 * 3.75 + 8000 * 0.30 + 200 * 15.00) / 1e6, within(1e-12));
    assertThat(summary.deploymentsPerSession()).containsExactly(Map.entry("t1-s1", 1), Map.entry("t1-s2", 2));
    assertThat(summary.sessionsOnOneDeployment()).isEqualTo(1);
    assertThat(summary.maxDeploymentsPerSession()).isEqualTo(2);
    assertThat(summary.render()).contains("affinity", "16,620", "48.1%", "1 for 1 of 2 sessions (max 2)");
  }

  @Test
  void noPromptTokensMeansNoShareRatherThanNaN() {
    ReplaySummary empty = ReplaySummary.of("", List.of());
    assertThat(empty.cacheReadShare()).isZero();
    assertThat(empty.costUsd()).isZero();
  }

  @Test
  void jsonRoundTripKeepsTheCounts() {
    ReplaySummary summary = ReplaySummary.of("round-robin", List.of(
        ok(1, "t1-s1", "dep-a", new Usage(1, 2, 3, 4)),
        ok(2, "t1-s1", "dep-b", new Usage(5, 6, 7, 8))));
    assertThat(summary.toJson().get("cost_usd").asDouble()).isEqualTo(summary.costUsd());
    assertThat(ReplaySummary.fromJson(summary.toJson())).isEqualTo(summary);
  }

  @Test
  void efficiencyIsRelativeToTheFirstSummary() {
    ReplaySummary ideal = summary("ideal", new Usage(100, 1_000, 9_000, 100));
    ReplaySummary roundRobin = summary("round-robin", new Usage(100, 3_000, 7_000, 100));

    SummaryComparison.Efficiency efficiency = SummaryComparison.versusIdeal(ideal, roundRobin);

    assertThat(efficiency.cacheReadRatio().getAsDouble()).isCloseTo(7_000.0 / 9_000, within(1e-12));
    double idealCost = (100 * 3.0 + 1_000 * 3.75 + 9_000 * 0.3 + 100 * 15.0) / 1e6;
    double otherCost = (100 * 3.0 + 3_000 * 3.75 + 7_000 * 0.3 + 100 * 15.0) / 1e6;
    assertThat(efficiency.costChange().getAsDouble()).isCloseTo(otherCost / idealCost - 1, within(1e-12));
    assertThat(efficiency.describe()).isEqualTo("efficiency vs ideal: 77.8% of cache reads, cost +83.6%");
  }

  @Test
  void cheaperThanIdealShowsANegativeChangeAndAZeroIdealShowsNotApplicable() {
    ReplaySummary ideal = summary("ideal", new Usage(1_000, 0, 0, 0));
    ReplaySummary cheaper = summary("cached", new Usage(500, 0, 0, 0));
    assertThat(SummaryComparison.versusIdeal(ideal, cheaper).describe())
        .isEqualTo("efficiency vs ideal: n/a of cache reads, cost -50.0%");
  }

  @Test
  void comparisonTablePutsSummariesSideBySide() {
    String table = SummaryComparison.render(List.of(
        summary("ideal", new Usage(0, 1_000, 9_000, 100)),
        summary("round-robin", new Usage(0, 3_000, 7_000, 100)),
        summary("affinity", new Usage(0, 1_000, 9_000, 100))));
    List<String> lines = table.lines().toList();
    assertThat(lines.get(0)).contains("ideal", "round-robin", "affinity");
    assertThat(lines.get(0).indexOf("round-robin")).isEqualTo(lines.get(4).indexOf("70.0%"));
    assertThat(lines).filteredOn(line -> line.startsWith("cache read share"))
        .singleElement().asString().contains("90.0%", "70.0%");
    // Costs: ideal 1000 x 3.75 + 9000 x 0.30 + 100 x 15 = 7950, round-robin 14850 per million tokens.
    assertThat(table).contains("round-robin   efficiency vs ideal: 77.8% of cache reads, cost +86.8%");
    assertThat(table).contains("affinity      efficiency vs ideal: 100.0% of cache reads, cost +0.0%");
  }

  private static ReplaySummary summary(String label, Usage usage) {
    return new ReplaySummary(label, 10, 0, usage, Map.of("t1-s1", 1));
  }

  private static Exchange ok(int turn, String session, String deployment, Usage usage) {
    return new Exchange(turn, session, session.substring(0, 2), 200, deployment, "pinned", usage, null);
  }
}
