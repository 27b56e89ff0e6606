package dev.affinity.router.cache;

/**
 * What a request cost, and what it would have cost without the prompt cache, from the usage the provider reports.
 * This is what affinity routing is measured by: every read instead of a write saves 90% of the input price, every
 * write instead of plain input costs 25% (5 minutes) or 100% (1 hour) more.
 */
public final class CostModel {

  private CostModel() {
  }

  /**
   * Token counts as Anthropic reports them; {@code input} excludes the cached and cache-written tokens.
   *
   * @param input          {@code input_tokens}
   * @param cacheWrite5m   {@code cache_creation.ephemeral_5m_input_tokens} (all of {@code cache_creation_input_tokens}
   *                       when the split is not reported)
   * @param cacheWrite1h   {@code cache_creation.ephemeral_1h_input_tokens}
   * @param cacheRead      {@code cache_read_input_tokens}
   * @param output         {@code output_tokens}
   */
  public record Usage(long input, long cacheWrite5m, long cacheWrite1h, long cacheRead, long output) {

    public Usage {
      if (input < 0 || cacheWrite5m < 0 || cacheWrite1h < 0 || cacheRead < 0 || output < 0) {
        throw new IllegalArgumentException("token counts must not be negative");
      }
    }

    /** Every prompt token, cached or not. */
    public long promptTokens() {
      return input + cacheWrite5m + cacheWrite1h + cacheRead;
    }
  }

  /**
   * The cost of one request, in USD.
   *
   * @param cost             what the provider bills
   * @param costWithoutCache what the same request would cost with every prompt token at the input price
   * @param saving           {@code costWithoutCache - cost}; negative when cache writes were not paid back by reads
   */
  public record RequestCost(double cost, double costWithoutCache, double saving) {
  }

  public static RequestCost cost(Price price, Usage usage) {
    double output = usage.output() * price.outputPerToken();
    double cost = usage.input() * price.inputPerToken()
        + usage.cacheWrite5m() * price.cacheWrite5mPerToken()
        + usage.cacheWrite1h() * price.cacheWrite1hPerToken()
        + usage.cacheRead() * price.cacheReadPerToken()
        + output;
    double withoutCache = usage.promptTokens() * price.inputPerToken() + output;
    return new RequestCost(cost, withoutCache, withoutCache - cost);
  }

  /**
   * Wait or move: whether waiting out a deployment's short {@code retry-after} is cheaper than moving the request to
   * another deployment, where its cached prefix of {@code cachedTokens} would be written again. Moving costs
   * {@code cachedTokens × (5-minute write − read)} once (the next turns read it there); waiting costs the wait at
   * {@code usdPerSecond}, the value put on a second of the client's time.
   */
  public static boolean worthWaiting(Price price, long cachedTokens, long waitMillis, double usdPerSecond) {
    double move = cachedTokens * (price.cacheWrite5mPerToken() - price.cacheReadPerToken());
    double wait = waitMillis / 1000.0 * usdPerSecond;
    return move > wait;
  }
}
