package dev.affinity.model;

/**
 * One finished upstream call: who answered and what the provider says it cost. Token figures are the provider's
 * (Anthropic names); -1 where the provider did not say. The caller is the request's, for its key's spend.
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
    String errorType,
    Caller caller) {

  public UsageReport {
    caller = caller == null ? Caller.ADMIN : caller;
  }

  /** A report of a call made for the master key. */
  public UsageReport(String requestId, String alias, String deploymentId, String route, int status, boolean stream,
                     long latencyMillis, TokenUsage usage, String errorType) {
    this(requestId, alias, deploymentId, route, status, stream, latencyMillis, usage, errorType, Caller.ADMIN);
  }
}
