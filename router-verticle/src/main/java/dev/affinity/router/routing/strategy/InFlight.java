package dev.affinity.router.routing.strategy;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Requests sent to each deployment from this node that have not finished yet. */
public final class InFlight {

  private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();

  public void started(String deploymentId) {
    counter(deploymentId).incrementAndGet();
  }

  /**
   * Counts a call in only if fewer than {@code limit} are in flight: the check and the count are one step, so calls
   * sent at the same moment from several event loops never pass the limit together.
   *
   * @return whether the call was counted (and may be sent)
   */
  public boolean tryStart(String deploymentId, long limit) {
    AtomicLong count = counter(deploymentId);
    long now;
    do {
      now = count.get();
      if (now >= limit) {
        return false;
      }
    } while (!count.compareAndSet(now, now + 1));
    return true;
  }

  public void finished(String deploymentId) {
    counter(deploymentId).decrementAndGet();
  }

  public long count(String deploymentId) {
    AtomicLong count = counts.get(deploymentId);
    return count == null ? 0 : count.get();
  }

  private AtomicLong counter(String deploymentId) {
    return counts.computeIfAbsent(deploymentId, id -> new AtomicLong());
  }
}
