package dev.affinity.model;

/**
 * Token usage as Anthropic reports it. {@code inputTokens} are the uncached tokens after the last cache breakpoint;
 * the prompt's size is {@link #promptTokens()}.
 */
public record TokenUsage(long inputTokens, long cacheCreationInputTokens, long cacheCreation5mTokens,
                         long cacheCreation1hTokens, long cacheReadInputTokens, long outputTokens) {

  public static final TokenUsage NONE = new TokenUsage(0, 0, 0, 0, 0, 0);

  public long promptTokens() {
    return inputTokens + cacheCreationInputTokens + cacheReadInputTokens;
  }
}
