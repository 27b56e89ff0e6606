package dev.affinity.model;

/**
 * One finished upstream call: who answered and what the provider says it cost. Token figures are the provider's
 * (Anthropic names); -1 where the provider did not say.
 */
public record UsageReport(
    String requestId,
    String alias,
    String deploymentId,
    String route,
    int status,
    boolean stream,
    long latencyMillis,
    TokenUsage usage,
    String errorType) {
}
