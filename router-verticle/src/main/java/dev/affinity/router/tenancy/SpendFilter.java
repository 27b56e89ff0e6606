package dev.affinity.router.tenancy;

/**
 * Which rows of the spend log a report reads: all of them but for the conditions given. Rows are those of virtual
 * keys' calls (the master key's calls have none).
 *
 * @param keyId         the key whose calls, or null for every key's
 * @param requestId     the request whose calls (one per attempt), or null
 * @param fromMillis    rows written at or after this (epoch milliseconds); {@link Long#MIN_VALUE} for no bound
 * @param beforeMillis  rows written before this; {@link Long#MAX_VALUE} for no bound
 * @param limit         the most rows answered, newest first
 */
public record SpendFilter(String keyId, String requestId, long fromMillis, long beforeMillis, int limit) {

  public SpendFilter {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive");
    }
  }
}
