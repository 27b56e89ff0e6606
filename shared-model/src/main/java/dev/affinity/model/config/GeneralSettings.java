package dev.affinity.model.config;

/**
 * {@code general_settings}.
 *
 * @param masterKey       the key clients must present to the gateway, or {@code null} for an open gateway
 * @param maxRequestBytes the largest request body accepted ({@code max_request_size_mb}, in MiB)
 */
public record GeneralSettings(Secret masterKey, long maxRequestBytes) {

  public static final long DEFAULT_MAX_REQUEST_BYTES = 32L * 1024 * 1024;

  /** The settings of a file without {@code general_settings}. */
  public static final GeneralSettings DEFAULTS = new GeneralSettings(null, DEFAULT_MAX_REQUEST_BYTES);

  public GeneralSettings {
    if (maxRequestBytes <= 0) {
      throw new IllegalArgumentException("maxRequestBytes must be positive");
    }
  }
}
