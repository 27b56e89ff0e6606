package dev.affinity.router.routing;

import dev.affinity.model.TokenUsage;

import java.util.Map;
import java.util.TreeMap;

/**
 * What the providers say routing achieved, per alias and deployment: cache reads, writes and uncached tokens, cost
 * and saving, and "pinned but missed" — routed by a pin, yet the provider read nothing from its cache. That last
 * number should stay near zero; when it does not, a cache scope is wrong or the chain disagrees with the provider.
 * Plain Java; one instance per node, booked into from every event loop's router (each call under the ledger's lock,
 * a few field updates) and read as a copy.
 */
public final class CacheLedger {

  /** Totals for one alias on one deployment. */
  public static final class Line {
    /** The totals of a deployment that has served nothing yet. */
    public static final Line EMPTY = new Line();

    private long requests;
    private long errors;
    private long uncachedTokens;
    private long cacheWriteTokens;
    private long cacheReadTokens;
    private long outputTokens;
    private long pinnedRequests;
    private long pinnedMisses;
    private double cost;
    private double costWithoutCache;

    private Line() {
    }

    private Line(Line other) {
      requests = other.requests;
      errors = other.errors;
      uncachedTokens = other.uncachedTokens;
      cacheWriteTokens = other.cacheWriteTokens;
      cacheReadTokens = other.cacheReadTokens;
      outputTokens = other.outputTokens;
      pinnedRequests = other.pinnedRequests;
      pinnedMisses = other.pinnedMisses;
      cost = other.cost;
      costWithoutCache = other.costWithoutCache;
    }

    public long requests() {
      return requests;
    }

    public long errors() {
      return errors;
    }

    public long uncachedTokens() {
      return uncachedTokens;
    }

    public long cacheWriteTokens() {
      return cacheWriteTokens;
    }

    public long cacheReadTokens() {
      return cacheReadTokens;
    }

    public long outputTokens() {
      return outputTokens;
    }

    public long pinnedRequests() {
      return pinnedRequests;
    }

    public long pinnedMisses() {
      return pinnedMisses;
    }

    public double cost() {
      return cost;
    }

    public double costWithoutCache() {
      return costWithoutCache;
    }

    /** Share of prompt tokens read from cache. */
    public double readShare() {
      long prompt = uncachedTokens + cacheWriteTokens + cacheReadTokens;
      return prompt == 0 ? 0 : (double) cacheReadTokens / prompt;
    }
  }

  private final Map<String, Map<String, Line>> lines = new TreeMap<>();

  /**
   * Books one finished call.
   *
   * @param pinned whether the route followed an existing pin (so a cache read was expected)
   */
  public synchronized void record(String alias, String deploymentId, int status, boolean pinned, TokenUsage usage, double cost,
                     double costWithoutCache) {
    Line line = lines.computeIfAbsent(alias, a -> new TreeMap<>()).computeIfAbsent(deploymentId, d -> new Line());
    line.requests++;
    if (status >= 400) {
      line.errors++;
      return;
    }
    line.uncachedTokens += usage.inputTokens();
    line.cacheWriteTokens += usage.cacheCreationInputTokens();
    line.cacheReadTokens += usage.cacheReadInputTokens();
    line.outputTokens += usage.outputTokens();
    line.cost += cost;
    line.costWithoutCache += costWithoutCache;
    if (pinned) {
      line.pinnedRequests++;
      if (usage.cacheReadInputTokens() == 0) {
        line.pinnedMisses++;
      }
    }
  }

  /** alias → deployment → totals, sorted: a copy, which later calls do not change. */
  public synchronized Map<String, Map<String, Line>> lines() {
    Map<String, Map<String, Line>> copy = new TreeMap<>();
    lines.forEach((alias, deployments) -> {
      Map<String, Line> byDeployment = new TreeMap<>();
      deployments.forEach((deploymentId, line) -> byDeployment.put(deploymentId, new Line(line)));
      copy.put(alias, byDeployment);
    });
    return copy;
  }
}
