package dev.affinity.emulator;

/**
 * How long answers take. Time to first token grows with the tokens the model must process from scratch (uncached
 * input and cache writes) and, much more slowly, with tokens read from the cache; output then streams at a steady
 * rate. This is what makes a cache hit visible as latency, not only as money.
 *
 * @param baseMillis fixed time to first token
 * @param perUncachedTokenMicros added per uncached input token (input and cache-write tokens)
 * @param perCachedTokenMicros added per cache-read token
 * @param tokensPerSecond output rate; 0 writes all output at once
 */
public record LatencyModel(long baseMillis, double perUncachedTokenMicros, double perCachedTokenMicros,
    double tokensPerSecond) {

  /** Everything immediate: for benchmarks of the gateway itself and for tests. */
  public static final LatencyModel ZERO = new LatencyModel(0, 0, 0, 0);

  /**
   * Roughly a mid-size Claude model: 400 ms base, 40 µs per uncached token (a 50k-token cold prompt waits about
   * 2.4 s, the same prompt cached about 0.5 s), 2 µs per cached token, 60 output tokens per second.
   */
  public static final LatencyModel REALISTIC = new LatencyModel(400, 40, 2, 60);

  public LatencyModel {
    if (baseMillis < 0 || perUncachedTokenMicros < 0 || perCachedTokenMicros < 0 || tokensPerSecond < 0) {
      throw new IllegalArgumentException("latency parameters must not be negative");
    }
  }

  long firstTokenDelayMillis(Usage usage) {
    double micros = usage.uncachedInputTokens() * perUncachedTokenMicros
        + usage.cacheReadInputTokens() * perCachedTokenMicros;
    return baseMillis + Math.round(micros / 1000);
  }

  /** Delay between two output tokens; 0 when output is not paced. */
  long millisPerOutputToken() {
    return tokensPerSecond == 0 ? 0 : Math.max(1, Math.round(1000 / tokensPerSecond));
  }
}
