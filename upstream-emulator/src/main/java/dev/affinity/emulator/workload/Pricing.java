package dev.affinity.emulator.workload;

/** Prices in USD per million tokens. */
public record Pricing(double inputPerMTok, double cacheWrite5mPerMTok, double cacheReadPerMTok, double outputPerMTok) {

  /** Claude Sonnet 4.5: cache writes (5-minute TTL) cost 125% of input, reads 10%. */
  public static final Pricing SONNET_4_5 = new Pricing(3.00, 3.75, 0.30, 15.00);

  public double costUsd(Usage usage) {
    return (usage.inputTokens() * inputPerMTok
        + usage.cacheCreationInputTokens() * cacheWrite5mPerMTok
        + usage.cacheReadInputTokens() * cacheReadPerMTok
        + usage.outputTokens() * outputPerMTok) / 1_000_000.0;
  }
}
