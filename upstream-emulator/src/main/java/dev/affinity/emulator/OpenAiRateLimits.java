package dev.affinity.emulator;

import io.vertx.core.MultiMap;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;

/**
 * One account's OpenAI rate limits (apart from its Anthropic ones, as two providers' organisations are) and the
 * {@code x-ratelimit-*} headers that report them. Only the request limit is enforced, and only when the account has
 * an {@code rpm}. The token limit is reported; like OpenAI's, it counts prompt tokens (cached ones included, caching
 * does not lower rate-limit usage) and completion tokens.
 */
final class OpenAiRateLimits {

  private final boolean enforced;
  private final TokenBucket requests;
  private final TokenBucket tokens;

  OpenAiRateLimits(int requestsPerMinute, long tokensPerMinute, Instant now) {
    this.enforced = requestsPerMinute > 0;
    this.requests = new TokenBucket(enforced ? requestsPerMinute : RateLimits.UNENFORCED_REQUESTS_PER_MINUTE, now);
    this.tokens = new TokenBucket(tokensPerMinute, now);
  }

  /** Admits one request; answers null when admitted, else how long until one would be. */
  Duration admit(Instant now) {
    Duration wait = requests.tryTake(1, now);
    if (wait.isZero()) {
      return null;
    }
    return enforced ? wait : null;
  }

  long requestLimit() {
    return requests.capacity();
  }

  void chargeTokens(long served, Instant now) {
    tokens.take(served, now);
  }

  void writeHeaders(MultiMap headers, Instant now) {
    headers.set("x-ratelimit-limit-requests", Long.toString(requests.capacity()));
    headers.set("x-ratelimit-limit-tokens", Long.toString(tokens.capacity()));
    headers.set("x-ratelimit-remaining-requests", Long.toString(requests.remaining(now)));
    headers.set("x-ratelimit-remaining-tokens", Long.toString(tokens.remaining(now)));
    headers.set("x-ratelimit-reset-requests", duration(Duration.between(now, requests.fullAt(now))));
    headers.set("x-ratelimit-reset-tokens", duration(Duration.between(now, tokens.fullAt(now))));
  }

  void reset(Instant now) {
    requests.refillCompletely(now);
    tokens.refillCompletely(now);
  }

  /**
   * A duration the way OpenAI writes its reset headers and "try again in" hints: {@code 0s}, {@code 120ms},
   * {@code 7.66s}, {@code 6m0s}, {@code 1h2m3s} (whole milliseconds, rounded up).
   */
  static String duration(Duration duration) {
    long millis = duration.toMillis() + (duration.toNanosPart() % 1_000_000 > 0 ? 1 : 0);
    if (millis <= 0) {
      return "0s";
    }
    if (millis < 1000) {
      return millis + "ms";
    }
    long hours = millis / 3_600_000;
    long minutes = millis / 60_000 % 60;
    String seconds = BigDecimal.valueOf(millis % 60_000, 3).stripTrailingZeros().toPlainString();
    StringBuilder text = new StringBuilder();
    if (hours > 0) {
      text.append(hours).append('h');
    }
    if (hours > 0 || minutes > 0) {
      text.append(minutes).append('m');
    }
    return text.append(seconds).append('s').toString();
  }
}
