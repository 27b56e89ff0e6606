package dev.affinity.router.tenancy;

import dev.affinity.model.Attribution;

import java.util.List;

/**
 * One row of the spend log: one upstream call made for a virtual key. No prompt, no key: the key is named by its
 * id and the first characters of its hash.
 *
 * @param entryId       unique per call ({@code <request id>@<deployment>}: a retried request has a row per attempt);
 *                      writing the same row twice keeps one
 * @param createdAt     epoch milliseconds the call ended
 * @param costUsd       what the call cost, cache reads and writes priced (CostModel)
 * @param endUser       the end user the request named, or null; {@code requestTags} its tags ({@link Attribution}:
 *                      bounded, so a row read back from the cluster is refused when it is not)
 */
public record SpendRow(String entryId, String requestId, String keyId, String keyHashPrefix, String teamId,
                       String keyAlias, String model, String deployment, String route, int status,
                       long inputTokens, long cacheWriteTokens, long cacheReadTokens, long outputTokens,
                       double costUsd, long latencyMillis, long createdAt, String endUser, List<String> requestTags) {

  public SpendRow {
    Attribution checked = new Attribution(endUser, requestTags);
    endUser = checked.endUser();
    requestTags = checked.tags();
  }

  /** A row of a call made for no end user and with no tags. */
  public SpendRow(String entryId, String requestId, String keyId, String keyHashPrefix, String teamId,
                  String keyAlias, String model, String deployment, String route, int status,
                  long inputTokens, long cacheWriteTokens, long cacheReadTokens, long outputTokens,
                  double costUsd, long latencyMillis, long createdAt) {
    this(entryId, requestId, keyId, keyHashPrefix, teamId, keyAlias, model, deployment, route, status, inputTokens,
        cacheWriteTokens, cacheReadTokens, outputTokens, costUsd, latencyMillis, createdAt, null, List.of());
  }
}
