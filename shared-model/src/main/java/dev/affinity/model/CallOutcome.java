package dev.affinity.model;

import java.util.concurrent.TimeUnit;

/**
 * How one upstream call ended, as the provider verticle saw it: the one thing the router books per call (health,
 * headroom, ledger, spend, metrics, the request log). It travels with the reply: in {@link GatewayReply#outcome()}
 * for a complete answer, at the end of {@link BodyStream#outcome()} for a stream, in a {@link FailedCall} for a call
 * that got no answer.
 *
 * @param status    the status the client received (or would have)
 * @param usage     what the upstream said the call used; {@link TokenUsage#NONE} when it did not say
 * @param errorType the error's type (Anthropic's names), {@link GatewayError#LOCAL_FAILURE} for a call that failed in
 *                  the gateway, null for a success
 * @param timing    when the call's steps happened
 * @param runningResponse the id (the client's form) of a background response the upstream still runs although the
 *                  call ended (its stream was cut before the response was over): its usage is to come; else null
 */
public record CallOutcome(int status, TokenUsage usage, String errorType, UsageReport.Timing timing,
                          String runningResponse) {

  public CallOutcome {
    usage = usage == null ? TokenUsage.NONE : usage;
    timing = timing == null ? UsageReport.Timing.UNKNOWN : timing;
  }

  /** The outcome of a call whose usage is all known. */
  public CallOutcome(int status, TokenUsage usage, String errorType, UsageReport.Timing timing) {
    this(status, usage, errorType, timing, null);
  }

  /** From the router taking the request to the call's end, in milliseconds; 0 when not measured. */
  public long latencyMillis() {
    return timing.endedAfterNanos() < 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(timing.endedAfterNanos());
  }
}
