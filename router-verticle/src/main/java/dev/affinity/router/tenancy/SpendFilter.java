package dev.affinity.router.tenancy;

import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * Which rows of the spend log a report reads: all of them but for the conditions given. Rows are those of virtual
 * keys' calls (the master key's calls have none).
 *
 * @param keyId         the key whose calls, or null for every key's
 * @param teamId        the team whose calls (made with its keys), or null
 * @param requestId     the request whose calls (one per attempt), or null
 * @param fromMillis    rows written at or after this (epoch milliseconds); {@link Long#MIN_VALUE} for no bound
 * @param beforeMillis  rows written before this; {@link Long#MAX_VALUE} for no bound
 * @param limit         the most rows answered, newest first
 */
public record SpendFilter(String keyId, String teamId, String requestId, long fromMillis, long beforeMillis,
                          int limit) {

  public SpendFilter {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive");
    }
  }

  /** The rows of the UTC days from {@code first} to {@code last}, both included; no bound where a day is null. */
  static SpendFilter ofDays(String keyId, String teamId, String requestId, LocalDate first, LocalDate last,
                            int limit) {
    return new SpendFilter(keyId, teamId, requestId,
        first == null ? Long.MIN_VALUE : first.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli(),
        last == null ? Long.MAX_VALUE : last.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli(),
        limit);
  }
}
