package dev.affinity.model.config;

import java.time.Duration;

/**
 * {@code general_settings}.
 *
 * @param masterKey           the key clients must present to the gateway, or {@code null} for an open gateway
 * @param maxRequestBytes     the largest request body accepted ({@code max_request_size_mb}, in MiB)
 * @param maxParallelRequests requests one node serves at once ({@code global_max_parallel_requests}); 0 when not
 *                            configured, and the node then derives a limit from its open-file limit
 * @param drainTimeoutMillis  how long a stopping node waits for its requests in flight ({@code drain_timeout});
 *                            in milliseconds, not a Duration, so that the settings serialise with a plain mapper
 * @param databaseUrl         where keys, teams and spend are kept ({@code database_url}, else the environment's
 *                            {@code DATABASE_URL}): a {@code postgresql://} or {@code jdbc:postgresql:} URL, or
 *                            {@code null} for the embedded single-node store. A secret: it may hold a password
 * @param liteLlmSyncMillis   how often a node sharing LiteLLM's database takes its new keys and teams and follows
 *                            the keys and teams revoked there ({@code litellm_sync_interval}); 0 only at start
 */
public record GeneralSettings(Secret masterKey, long maxRequestBytes, int maxParallelRequests,
                              long drainTimeoutMillis, Secret databaseUrl, long liteLlmSyncMillis) {

  public static final long DEFAULT_MAX_REQUEST_BYTES = 32L * 1024 * 1024;
  /** Under Kubernetes' default 30-second grace period, with time left to leave the cluster. */
  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(25);

  /** A minute: a key revoked in LiteLLM's UI stops working through Affinity within it. */
  public static final Duration DEFAULT_LITELLM_SYNC = Duration.ofSeconds(60);

  /** The settings of a file without {@code general_settings}. */
  public static final GeneralSettings DEFAULTS = new GeneralSettings(null, DEFAULT_MAX_REQUEST_BYTES, 0,
      DEFAULT_DRAIN_TIMEOUT.toMillis(), null, DEFAULT_LITELLM_SYNC.toMillis());

  public GeneralSettings {
    if (maxRequestBytes <= 0) {
      throw new IllegalArgumentException("maxRequestBytes must be positive");
    }
    if (maxParallelRequests < 0) {
      throw new IllegalArgumentException("maxParallelRequests must not be negative");
    }
    if (drainTimeoutMillis < 0) {
      throw new IllegalArgumentException("drainTimeoutMillis must not be negative");
    }
    if (liteLlmSyncMillis < 0) {
      throw new IllegalArgumentException("liteLlmSyncMillis must not be negative");
    }
  }

  /** {@link #drainTimeoutMillis()} as a duration. */
  public Duration drainTimeout() {
    return Duration.ofMillis(drainTimeoutMillis);
  }

  /** Only the key and the body limit given; the rest as by default. */
  public GeneralSettings(Secret masterKey, long maxRequestBytes) {
    this(masterKey, maxRequestBytes, 0, DEFAULT_DRAIN_TIMEOUT.toMillis(), null, DEFAULT_LITELLM_SYNC.toMillis());
  }
}
