package dev.affinity.model;

import dev.affinity.model.config.Deployment;

/**
 * One finished upstream call as the router books it: the request (who asked, for which model), the route (who
 * answered, how it was chosen) and the call's {@link CallOutcome} (what the provider says it cost). Token figures are
 * the provider's (Anthropic names).
 *
 * @param timing when the call's steps happened, for the latency metrics; {@link Timing#UNKNOWN} when not measured
 * @param caller who made the request ({@link Caller#ADMIN} when not said), for its virtual key's spend
 */
public record UsageReport(
    String requestId,
    String alias,
    String deploymentId,
    RouteKind route,
    int status,
    boolean stream,
    long latencyMillis,
    TokenUsage usage,
    String errorType,
    Timing timing,
    Caller caller) {

  /**
   * What a call's report says besides its outcome, copied out of the request when the call is sent: a stream's
   * outcome comes long after, and the request (bodies, parsed tree) must not be kept for it.
   */
  public record Pending(String requestId, String alias, String deploymentId, RouteKind route, boolean stream,
                        Caller caller) {

    /** A call to {@code deployment}: a virtual key's is tagged with the deployment's tags too, as LiteLLM tags it. */
    public Pending(GatewayRequest request, Deployment deployment, RouteKind route) {
      this(request.requestId(), request.model(), deployment.id(), route, request.stream(),
          request.caller().virtualKey() ? request.caller().attributed(request.caller().attribution()
              .withTags(deployment.calls().tags())) : request.caller());
    }

    /** The report of the call that ended with {@code outcome}. */
    public UsageReport of(CallOutcome outcome) {
      return new UsageReport(requestId, alias, deploymentId, route, outcome.status(), stream,
          outcome.latencyMillis(), outcome.usage(), outcome.errorType(), outcome.timing(), caller);
    }
  }

  public UsageReport {
    timing = timing == null ? Timing.UNKNOWN : timing;
    caller = caller == null ? Caller.ADMIN : caller;
  }

  public UsageReport(String requestId, String alias, String deploymentId, RouteKind route, int status, boolean stream,
                     long latencyMillis, TokenUsage usage, String errorType) {
    this(requestId, alias, deploymentId, route, status, stream, latencyMillis, usage, errorType, Timing.UNKNOWN);
  }

  /** A report of a call made for the master key. */
  public UsageReport(String requestId, String alias, String deploymentId, RouteKind route, int status, boolean stream,
                     long latencyMillis, TokenUsage usage, String errorType, Timing timing) {
    this(requestId, alias, deploymentId, route, status, stream, latencyMillis, usage, errorType, timing,
        Caller.ADMIN);
  }

  /**
   * Nanoseconds from the router taking the request to each step of its upstream call; -1 for a step not reached.
   *
   * @param sentAfterNanos      the upstream request was sent (what the gateway added before it)
   * @param firstByteAfterNanos the first bytes of the answer arrived: its head for a complete answer, its first chunk
   *                            for a stream
   * @param endedAfterNanos     the answer ended, or the call failed
   */
  public record Timing(long sentAfterNanos, long firstByteAfterNanos, long endedAfterNanos) {
    public static final Timing UNKNOWN = new Timing(-1, -1, -1);
  }
}
