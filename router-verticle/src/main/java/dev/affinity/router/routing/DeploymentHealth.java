package dev.affinity.router.routing;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Which deployments may take traffic now, judged from how their calls end, with LiteLLM's meaning of
 * {@code allowed_fails} and {@code cooldown_time}: a deployment may fail {@code allowedFails} times within a minute
 * (failures that are the upstream's fault); the next failure in that minute cools it down for {@code cooldownTime}
 * and starts a new count. Successes do not clear the count (LiteLLM counts failures per minute, not in a row).
 * Pure and clock-injected (epoch milliseconds). Cooldowns this node decides are returned to the caller, which
 * publishes them to the cluster; those of other nodes come back through {@link #coolUntil}.
 */
public final class DeploymentHealth {

  private final int allowedFails;
  private final long cooldownMillis;
  private final LongSupplier clock;
  private static final long MINUTE_MILLIS = 60_000;

  private final Map<String, Deque<Long>> recentFailures = new ConcurrentHashMap<>();
  private final Map<String, Long> cooledUntil = new ConcurrentHashMap<>();

  public DeploymentHealth(int allowedFails, long cooldownMillis, LongSupplier clock) {
    this.allowedFails = allowedFails;
    this.cooldownMillis = cooldownMillis;
    this.clock = clock;
  }

  /**
   * Records how a call ended: an HTTP status, or 502/504 for calls that got no answer.
   *
   * @return when this failure starts a cooldown, the instant it ends
   */
  public OptionalLong record(String deploymentId, int status) {
    if (!upstreamFault(status)) {
      return OptionalLong.empty();
    }
    long now = clock.getAsLong();
    Deque<Long> failures = recentFailures.computeIfAbsent(deploymentId, id -> new ArrayDeque<>());
    synchronized (failures) {
      while (!failures.isEmpty() && now - failures.peekFirst() >= MINUTE_MILLIS) {
        failures.pollFirst();
      }
      failures.addLast(now);
      if (failures.size() <= allowedFails) {
        return OptionalLong.empty();
      }
      failures.clear();
    }
    return OptionalLong.of(coolUntil(deploymentId, now + cooldownMillis));
  }

  /**
   * Takes a deployment out of rotation for {@code millis}, as its {@code retry-after} asked.
   *
   * @return the instant the cooldown ends (a longer running one is kept)
   */
  public long coolFor(String deploymentId, long millis) {
    return coolUntil(deploymentId, clock.getAsLong() + millis);
  }

  /** Cools a deployment until {@code untilMillis}, as decided here or by another node; returns the later end. */
  public long coolUntil(String deploymentId, long untilMillis) {
    return cooledUntil.merge(deploymentId, untilMillis, Math::max);
  }

  public boolean healthy(String deploymentId) {
    return cooledUntil(deploymentId).isEmpty();
  }

  /** When the running cooldown of a deployment ends, or empty when it takes traffic. */
  public OptionalLong cooledUntil(String deploymentId) {
    Long until = cooledUntil.get(deploymentId);
    if (until == null) {
      return OptionalLong.empty();
    }
    if (clock.getAsLong() >= until) {
      cooledUntil.remove(deploymentId, until);
      return OptionalLong.empty();
    }
    return OptionalLong.of(until);
  }

  /** Statuses that say the deployment, not the request, is in trouble. */
  static boolean upstreamFault(int status) {
    return status == 429 || status >= 500;
  }
}
