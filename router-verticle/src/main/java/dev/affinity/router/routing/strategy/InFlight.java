package dev.affinity.router.routing.strategy;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Requests sent to each deployment from this node that have not finished yet. */
public final class InFlight {

  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

  public void started(String deploymentId) {
    counts.computeIfAbsent(deploymentId, id -> new LongAdder()).increment();
  }

  public void finished(String deploymentId) {
    counts.computeIfAbsent(deploymentId, id -> new LongAdder()).decrement();
  }

  public long count(String deploymentId) {
    LongAdder count = counts.get(deploymentId);
    return count == null ? 0 : count.sum();
  }
}
