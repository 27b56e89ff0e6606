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
 * @param allowedFails         failures in a row (429, 5xx, no answer) after which a deployment cools down
 * @param cooldownTime         how long a deployment cools down, cluster-wide
 * @param warmUpWait           how long a request whose new prefix another request is writing to a cache waits for
 *                             that write to start, so it reads instead of writing too; zero turns waiting off
 * @param hotPrefixDeployments how many deployments one prefix may spread over when its own has no rate-limit
 *                             headroom; 1 never spreads
 */
public record RouterSettings(String routingStrategy, boolean promptCaching, int numRetries, Duration timeout,
                             int allowedFails, Duration cooldownTime, Duration warmUpWait,
                             int hotPrefixDeployments) {

  public static final String SIMPLE_SHUFFLE = "simple-shuffle";
  public static final String LEAST_BUSY = "least-busy";
  public static final String ROUND_ROBIN = "round-robin";
  public static final List<String> STRATEGIES = List.of(SIMPLE_SHUFFLE, LEAST_BUSY, ROUND_ROBIN);

  public static final int DEFAULT_NUM_RETRIES = 2;
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(600);
  /** LiteLLM's defaults. */
  public static final int DEFAULT_ALLOWED_FAILS = 3;
  public static final Duration DEFAULT_COOLDOWN_TIME = Duration.ofSeconds(5);
  /** Long enough for a first token on a long prompt, short enough that a stuck writer costs little. */
  public static final Duration DEFAULT_WARM_UP_WAIT = Duration.ofSeconds(3);
  public static final int DEFAULT_HOT_PREFIX_DEPLOYMENTS = 2;

  /** The settings of a file without {@code router_settings}. */
  public static final RouterSettings DEFAULTS =
      new RouterSettings(SIMPLE_SHUFFLE, true, DEFAULT_NUM_RETRIES, DEFAULT_TIMEOUT);

  public RouterSettings {
    Objects.requireNonNull(routingStrategy, "routingStrategy");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(cooldownTime, "cooldownTime");
    Objects.requireNonNull(warmUpWait, "warmUpWait");
    if (allowedFails < 1 || hotPrefixDeployments < 1) {
      throw new IllegalArgumentException("allowedFails and hotPrefixDeployments must be at least 1");
    }
  }

  /** The given settings with the defaults of the reliability keys. */
  public RouterSettings(String routingStrategy, boolean promptCaching, int numRetries, Duration timeout) {
    this(routingStrategy, promptCaching, numRetries, timeout, DEFAULT_ALLOWED_FAILS, DEFAULT_COOLDOWN_TIME,
        DEFAULT_WARM_UP_WAIT, DEFAULT_HOT_PREFIX_DEPLOYMENTS);
  }
}
