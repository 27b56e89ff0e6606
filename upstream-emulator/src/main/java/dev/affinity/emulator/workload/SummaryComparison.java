package dev.affinity.emulator.workload;

import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.function.Function;

/**
 * Side-by-side view of replay summaries. The first summary is the reference: the demo makes it a run against a
 * single deployment, where every session's prefix is cached once, so it is the ideal the others are measured by.
 */
public final class SummaryComparison {

  private SummaryComparison() {
  }

  /**
   * A run measured against the reference.
   *
   * @param cacheReadRatio the run's cache read share divided by the reference's; empty when the reference read nothing
   * @param costChange the run's cost relative to the reference's, {@code 0.004} for 0.4% more; empty when the
   *     reference cost nothing
   */
  public record Efficiency(OptionalDouble cacheReadRatio, OptionalDouble costChange) {

    /** E.g. "efficiency vs ideal: 99.7% of cache reads, cost +0.4%". */
    public String describe() {
      String reads = cacheReadRatio.isPresent()
          ? String.format(Locale.ROOT, "%.1f%%", cacheReadRatio.getAsDouble() * 100) : "n/a";
      String cost = costChange.isPresent()
          ? String.format(Locale.ROOT, "%+.1f%%", costChange.getAsDouble() * 100) : "n/a";
      return "efficiency vs ideal: " + reads + " of cache reads, cost " + cost;
    }
  }

  public static Efficiency versusIdeal(ReplaySummary ideal, ReplaySummary run) {
    double idealShare = ideal.cacheReadShare();
    double idealCost = ideal.costUsd();
    return new Efficiency(
        idealShare > 0 ? OptionalDouble.of(run.cacheReadShare() / idealShare) : OptionalDouble.empty(),
        idealCost > 0 ? OptionalDouble.of(run.costUsd() / idealCost - 1) : OptionalDouble.empty());
  }

  /** A table with one column per summary, then each later summary's efficiency against the first. */
  public static String render(List<ReplaySummary> summaries) {
    if (summaries.isEmpty()) {
      throw new IllegalArgumentException("nothing to compare");
    }
    int width = 14;
    for (ReplaySummary summary : summaries) {
      width = Math.max(width, summary.label().length() + 2);
    }
    StringBuilder table = new StringBuilder();
    row(table, width, "", summaries, ReplaySummary::label);
    row(table, width, "requests", summaries, s -> Integer.toString(s.requests()));
    row(table, width, "errors", summaries, s -> Integer.toString(s.errors()));
    row(table, width, "prompt tokens", summaries, s -> ReplaySummary.grouped(s.promptTokens()));
    row(table, width, "cache read share", summaries, s -> ReplaySummary.percent(s.cacheReadShare()));
    row(table, width, "cache write tokens", summaries,
        s -> ReplaySummary.grouped(s.usage().cacheCreationInputTokens()));
    row(table, width, "uncached input tokens", summaries, s -> ReplaySummary.grouped(s.usage().inputTokens()));
    row(table, width, "output tokens", summaries, s -> ReplaySummary.grouped(s.usage().outputTokens()));
    row(table, width, "cost (USD)", summaries, s -> ReplaySummary.usd(s.costUsd()));
    row(table, width, "sessions on 1 deployment", summaries,
        s -> s.sessionsOnOneDeployment() + "/" + s.deploymentsPerSession().size());
    row(table, width, "max deployments/session", summaries, s -> Integer.toString(s.maxDeploymentsPerSession()));
    ReplaySummary ideal = summaries.get(0);
    for (ReplaySummary run : summaries.subList(1, summaries.size())) {
      table.append('\n').append(String.format(Locale.ROOT, "%-" + width + "s", run.label()))
          .append(versusIdeal(ideal, run).describe());
    }
    return table.append('\n').toString();
  }

  private static void row(StringBuilder table, int width, String name, List<ReplaySummary> summaries,
      Function<ReplaySummary, String> cell) {
    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-26s", name));
    for (ReplaySummary summary : summaries) {
      line.append(String.format(Locale.ROOT, "%-" + width + "s", cell.apply(summary)));
    }
    table.append(line.toString().stripTrailing()).append('\n');
  }
}
