package dev.affinity.router.tenancy;

/**
 * One row of the spend log: one upstream call made for a virtual key. No prompt, no key: the key is named by its
 * id and the first characters of its hash.
 *
 * @param entryId       unique per call ({@code <request id>@<deployment>}: a retried request has a row per attempt);
 *                      writing the same row twice keeps one
 * @param createdAt     epoch milliseconds the call ended
 * @param costUsd       what the call cost, cache reads and writes priced (CostModel)
 */
public record SpendRow(String entryId, String requestId, String keyId, String keyHashPrefix, String teamId,
                       String keyAlias, String model, String deployment, String route, int status,
                       long inputTokens, long cacheWriteTokens, long cacheReadTokens, long outputTokens,
                       double costUsd, long latencyMillis, long createdAt) {
}
