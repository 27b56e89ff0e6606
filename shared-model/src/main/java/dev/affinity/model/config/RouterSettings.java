package dev.affinity.model.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * {@code router_settings}.
 *
 * @param routingStrategy      how to choose among eligible deployments when no pinned prefix applies: one of
 *                             {@link #STRATEGIES}
 * @param promptCaching        whether prompt-cache affinity routing is on (see {@code docs/configuration.md})
 * @param numRetries           how many times a failed call is retried on another deployment
 * @param timeout              the upstream call timeout of deployments that set none
 * @param allowedFails         LiteLLM's meaning: failures (429, 5xx, no answer) a deployment may have within a minute;
 *                             one more cools it down (0: the first failure does)
 * @param cooldownTime         how long a deployment cools down, cluster-wide
 * @param retryAfter           LiteLLM's meaning: the least time to wait before retrying a failed call on the deployment
 *                             that failed it (when there is nowhere else to go); zero retries at once
 * @param warmUpWait           how long a request whose new prefix another request is writing to a cache waits for
 *                             that write to start, so it reads instead of writing too; zero turns waiting off
 * @param hotPrefixDeployments how many deployments one prefix may spread over when its own has no rate-limit
 *                             headroom; 1 never spreads
 * @param balanceAbsThreshold  requests per minute a deployment may be ahead of the least-loaded one and still take new
 *                             sessions that follow a shared prefix (SGLang's absolute balance threshold)
 * @param balanceRelThreshold  how many times the least-loaded one's requests per minute a deployment may carry and
 *                             still take them (SGLang's relative threshold); a deployment is past the bounds only
 *                             when past both
 * @param retryWaitCostPerSecond USD put on a second of waiting: a short {@code retry-after} on a deployment that holds
 *                             the request's cached prefix is waited out when rewriting the prefix elsewhere would cost
 *                             more than the wait at this rate
 * @param maxPinsPerTenant     live pins one tenant (team, else virtual key) may hold cluster-wide; past it, its requests
 *                             claim no new prefix, so it cannot evict another tenant's pins; 0: no quota
 * @param backgroundUsageCheck how long after a background response is made the gateway reads it back itself when no
 *                             client has read it back finished (then twice as long each time), so that its usage is
 *                             booked anyway; zero never
 */
public record RouterSettings(String routingStrategy, boolean promptCaching, int numRetries, Duration timeout,
                             int allowedFails, Duration cooldownTime, Duration retryAfter, Duration warmUpWait,
                             int hotPrefixDeployments, long balanceAbsThreshold, double balanceRelThreshold,
                             double retryWaitCostPerSecond, long maxPinsPerTenant, Duration backgroundUsageCheck) {

  public static final String SIMPLE_SHUFFLE = "simple-shuffle";
  public static final String LEAST_BUSY = "least-busy";
  public static final String ROUND_ROBIN = "round-robin";
  public static final List<String> STRATEGIES = List.of(SIMPLE_SHUFFLE, LEAST_BUSY, ROUND_ROBIN);

  public static final int DEFAULT_NUM_RETRIES = 2;
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(600);
  /** LiteLLM's defaults. */
  public static final int DEFAULT_ALLOWED_FAILS = 3;
  public static final Duration DEFAULT_COOLDOWN_TIME = Duration.ofSeconds(5);
  public static final Duration DEFAULT_RETRY_AFTER = Duration.ZERO;
  /** Long enough for a first token on a long prompt, short enough that a stuck writer costs little. */
  public static final Duration DEFAULT_WARM_UP_WAIT = Duration.ofSeconds(3);
  public static final int DEFAULT_HOT_PREFIX_DEPLOYMENTS = 2;
  /** Chosen from the replay benchmark (docs/benchmarks.md, balance). */
  public static final long DEFAULT_BALANCE_ABS_THRESHOLD = 10;
  public static final double DEFAULT_BALANCE_REL_THRESHOLD = 1.5;
  /** $36 an hour: about what a developer's wait is worth, and a 10,000-token Sonnet prefix (3.45 cents to move). */
  public static final double DEFAULT_RETRY_WAIT_COST_PER_SECOND = 0.01;
  /**
   * A quarter of what one node's pin map holds before it evicts (200,000, cluster.xml): even a one-node cluster fits
   * four tenants at their quota before any pin is evicted, a three-node one twelve; a tenant's quota still covers
   * thousands of live sessions (a session holds a few pins: one per cache breakpoint, plus its session id).
   */
  public static final long DEFAULT_MAX_PINS_PER_TENANT = 50_000;
  /**
   * Clients poll a background response every few seconds until it is done, which books it; a long one (a deep
   * research task) takes minutes. Ten minutes, then doubling, is at most eight reads over the day it is waited for.
   */
  public static final Duration DEFAULT_BACKGROUND_USAGE_CHECK = Duration.ofMinutes(10);

  /** The settings of a file without {@code router_settings}. */
  public static final RouterSettings DEFAULTS =
      new RouterSettings(SIMPLE_SHUFFLE, true, DEFAULT_NUM_RETRIES, DEFAULT_TIMEOUT);

  public RouterSettings {
    Objects.requireNonNull(routingStrategy, "routingStrategy");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(cooldownTime, "cooldownTime");
    Objects.requireNonNull(retryAfter, "retryAfter");
    Objects.requireNonNull(warmUpWait, "warmUpWait");
    Objects.requireNonNull(backgroundUsageCheck, "backgroundUsageCheck");
    if (maxPinsPerTenant < 0) {
      throw new IllegalArgumentException("maxPinsPerTenant must be >= 0 (0: no quota)");
    }
    if (balanceAbsThreshold < 0 || !(balanceRelThreshold >= 1) || !(retryWaitCostPerSecond >= 0)) {
      throw new IllegalArgumentException("balanceAbsThreshold must be >= 0 and balanceRelThreshold >= 1");
    }
    if (allowedFails < 0 || hotPrefixDeployments < 1 || numRetries < 0 || retryAfter.isNegative()
        || backgroundUsageCheck.isNegative()) {
      throw new IllegalArgumentException("allowedFails, numRetries, retryAfter and backgroundUsageCheck must not be"
          + " negative, hotPrefixDeployments must be at least 1");
    }
  }

  /** The given settings with the defaults of the reliability keys. */
  public RouterSettings(String routingStrategy, boolean promptCaching, int numRetries, Duration timeout) {
    this(routingStrategy, promptCaching, numRetries, timeout, DEFAULT_ALLOWED_FAILS, DEFAULT_COOLDOWN_TIME,
        DEFAULT_RETRY_AFTER, DEFAULT_WARM_UP_WAIT, DEFAULT_HOT_PREFIX_DEPLOYMENTS, DEFAULT_BALANCE_ABS_THRESHOLD,
        DEFAULT_BALANCE_REL_THRESHOLD, DEFAULT_RETRY_WAIT_COST_PER_SECOND, DEFAULT_MAX_PINS_PER_TENANT,
        DEFAULT_BACKGROUND_USAGE_CHECK);
  }
}
