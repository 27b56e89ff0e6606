package dev.affinity.emulator;

import io.vertx.core.MultiMap;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * One account's rate limits and the {@code anthropic-ratelimit-*} headers that report them. Only the request limit
 * is enforced, and only when the account has an {@code rpm}; token limits are reported so that a gateway reading
 * them sees numbers that move with its traffic.
 */
final class RateLimits {

  /** Request limit reported when the account has none configured. */
  static final int UNENFORCED_REQUESTS_PER_MINUTE = 4_000;

  private final boolean enforced;
  private final TokenBucket requests;
  private final TokenBucket inputTokens;
  private final TokenBucket outputTokens;

  RateLimits(int requestsPerMinute, long inputTokensPerMinute, long outputTokensPerMinute, Instant now) {
    this.enforced = requestsPerMinute > 0;
    this.requests = new TokenBucket(enforced ? requestsPerMinute : UNENFORCED_REQUESTS_PER_MINUTE, now);
    this.inputTokens = new TokenBucket(inputTokensPerMinute, now);
    this.outputTokens = new TokenBucket(outputTokensPerMinute, now);
  }

  /** Admits one request; answers null when admitted, else how long until one would be. */
  Duration admit(Instant now) {
    Duration wait = requests.tryTake(1, now);
    if (wait.isZero()) {
      return null;
    }
    return enforced ? wait : null;
  }

  /**
   * Charges served usage. Like Anthropic, cache reads do not count against the input-token limit; uncached input
   * and cache writes do.
   */
  void chargeInput(Usage usage, Instant now) {
    inputTokens.take(usage.uncachedInputTokens(), now);
  }

  void chargeOutput(long tokens, Instant now) {
    outputTokens.take(tokens, now);
  }

  void writeHeaders(MultiMap headers, Instant now) {
    write(headers, "requests", requests, now);
    write(headers, "input-tokens", inputTokens, now);
    write(headers, "output-tokens", outputTokens, now);
    // "tokens" reports whichever token limit is the most restrictive right now.
    TokenBucket tighter = inputTokens.remaining(now) <= outputTokens.remaining(now) ? inputTokens : outputTokens;
    write(headers, "tokens", tighter, now);
  }

  void reset(Instant now) {
    requests.refillCompletely(now);
    inputTokens.refillCompletely(now);
    outputTokens.refillCompletely(now);
  }

  private static void write(MultiMap headers, String name, TokenBucket bucket, Instant now) {
    String prefix = "anthropic-ratelimit-" + name;
    headers.set(prefix + "-limit", Long.toString(bucket.capacity()));
    headers.set(prefix + "-remaining", Long.toString(bucket.remaining(now)));
    Instant fullAt = bucket.fullAt(now);
    Instant whole = fullAt.truncatedTo(ChronoUnit.SECONDS);
    // RFC 3339 in whole seconds, rounded up so that a client waiting until then finds the bucket full.
    headers.set(prefix + "-reset", (whole.isBefore(fullAt) ? whole.plusSeconds(1) : whole).toString());
  }
}
