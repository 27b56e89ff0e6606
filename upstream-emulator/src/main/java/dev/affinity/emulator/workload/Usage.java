package dev.affinity.emulator.workload;

import com.fasterxml.jackson.databind.JsonNode;

/** Token counts of one response (or a sum of them), in Anthropic's vocabulary. */
public record Usage(long inputTokens, long cacheCreationInputTokens, long cacheReadInputTokens, long outputTokens) {

  public static final Usage ZERO = new Usage(0, 0, 0, 0);

  /** Reads an Anthropic {@code usage} object; absent fields count as zero. */
  public static Usage fromJson(JsonNode usage) {
    return ZERO.overwrittenBy(usage);
  }

  /**
   * These counts with every field present in {@code usage} replaced. Streaming {@code message_delta} usage is
   * cumulative and may carry only some fields, so it overwrites rather than adds.
   */
  public Usage overwrittenBy(JsonNode usage) {
    if (usage == null || !usage.isObject()) {
      return this;
    }
    return new Usage(
        usage.path("input_tokens").asLong(inputTokens),
        usage.path("cache_creation_input_tokens").asLong(cacheCreationInputTokens),
        usage.path("cache_read_input_tokens").asLong(cacheReadInputTokens),
        usage.path("output_tokens").asLong(outputTokens));
  }

  public Usage plus(Usage other) {
    return new Usage(inputTokens + other.inputTokens, cacheCreationInputTokens + other.cacheCreationInputTokens,
        cacheReadInputTokens + other.cacheReadInputTokens, outputTokens + other.outputTokens);
  }

  /** Every prompt token, whether it was cached, written to the cache, or neither. */
  public long promptTokens() {
    return inputTokens + cacheCreationInputTokens + cacheReadInputTokens;
  }
}
