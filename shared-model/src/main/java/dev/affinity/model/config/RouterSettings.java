package dev.affinity.model.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * {@code router_settings}.
 *
 * @param routingStrategy how to choose among eligible deployments when no pinned prefix applies: one of
 *                        {@link #STRATEGIES}
 * @param promptCaching   whether prompt-cache affinity routing is on (see {@code docs/configuration.md})
 * @param numRetries      how many times a failed call is retried on another deployment
 * @param timeout         the upstream call timeout of deployments that set none
 */
public record RouterSettings(String routingStrategy, boolean promptCaching, int numRetries, Duration timeout) {

  public static final String SIMPLE_SHUFFLE = "simple-shuffle";
  public static final String LEAST_BUSY = "least-busy";
  public static final String ROUND_ROBIN = "round-robin";
  public static final List<String> STRATEGIES = List.of(SIMPLE_SHUFFLE, LEAST_BUSY, ROUND_ROBIN);

  public static final int DEFAULT_NUM_RETRIES = 2;
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(600);

  /** The settings of a file without {@code router_settings}. */
  public static final RouterSettings DEFAULTS =
      new RouterSettings(SIMPLE_SHUFFLE, true, DEFAULT_NUM_RETRIES, DEFAULT_TIMEOUT);

  public RouterSettings {
    Objects.requireNonNull(routingStrategy, "routingStrategy");
    Objects.requireNonNull(timeout, "timeout");
  }
}
