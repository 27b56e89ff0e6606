package dev.affinity.router.routing;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The load of each deployment as the cluster sees it: requests in flight, requests started and tokens used in the last
 * minute. This node counts its own as they happen; every second it publishes them and takes in what the other nodes
 * published (see {@code LoadMap}), so reading the cluster's load never costs a round trip. A remote figure is at most
 * about a second old. Pure and clock-injected (epoch milliseconds).
 */
public final class DeploymentLoad {

  /** One deployment's load, as one node counted it or as the cluster adds up. */
  public record Counts(long inFlight, long requestsPerMinute, long tokensPerMinute) {

    Counts plus(Counts other) {
      return new Counts(inFlight + other.inFlight, requestsPerMinute + other.requestsPerMinute,
          tokensPerMinute + other.tokensPerMinute);
    }
  }

  private final LongSupplier clock;
  private final Map<String, Local> local = new ConcurrentHashMap<>();
  private volatile Map<String, Counts> others = Map.of();

  public DeploymentLoad(LongSupplier clock) {
    this.clock = clock;
  }

  public void started(String deploymentId) {
    Local counts = local.computeIfAbsent(deploymentId, id -> new Local());
    synchronized (counts) {
      counts.inFlight++;
      counts.requests.add(clock.getAsLong(), 1);
    }
  }

  /** A request this node started has finished, having used {@code tokens} (input, cache writes, output). */
  public void finished(String deploymentId, long tokens) {
    Local counts = local.computeIfAbsent(deploymentId, id -> new Local());
    synchronized (counts) {
      counts.inFlight = Math.max(0, counts.inFlight - 1);
      counts.tokens.add(clock.getAsLong(), tokens);
    }
  }

  /** A request this node finished earlier used {@code tokens} more (a background response's, known later). */
  public void used(String deploymentId, long tokens) {
    Local counts = local.computeIfAbsent(deploymentId, id -> new Local());
    synchronized (counts) {
      counts.tokens.add(clock.getAsLong(), tokens);
    }
  }

  /** This node's own counts, to publish. */
  public Map<String, Counts> own() {
    long now = clock.getAsLong();
    Map<String, Counts> own = new HashMap<>();
    local.forEach((id, counts) -> {
      synchronized (counts) {
        own.put(id, new Counts(counts.inFlight, counts.requests.sum(now), counts.tokens.sum(now)));
      }
    });
    return own;
  }

  /** What the other nodes published last, added up per deployment; replaces what was there. */
  public void others(Map<String, Counts> sum) {
    others = Map.copyOf(sum);
  }

  /** The cluster's load of one deployment: this node's live counts plus the others' last published ones. */
  public Counts of(String deploymentId) {
    Counts remote = others.getOrDefault(deploymentId, new Counts(0, 0, 0));
    Local counts = local.get(deploymentId);
    if (counts == null) {
      return remote;
    }
    long now = clock.getAsLong();
    synchronized (counts) {
      return remote.plus(new Counts(counts.inFlight, counts.requests.sum(now), counts.tokens.sum(now)));
    }
  }

  private static final class Local {
    private long inFlight;
    private final MinuteWindow requests = new MinuteWindow();
    private final MinuteWindow tokens = new MinuteWindow();
  }
}
