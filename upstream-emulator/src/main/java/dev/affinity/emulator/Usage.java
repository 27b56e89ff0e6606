package dev.affinity.emulator;

import io.vertx.core.json.JsonObject;

/** Token usage of one answer, in Anthropic's field names. */
record Usage(long inputTokens, long cacheCreation5mInputTokens, long cacheCreation1hInputTokens,
    long cacheReadInputTokens, long outputTokens) {

  long cacheCreationInputTokens() {
    return cacheCreation5mInputTokens + cacheCreation1hInputTokens;
  }

  /** Tokens the model had to process from scratch (not read from the cache). */
  long uncachedInputTokens() {
    return inputTokens + cacheCreationInputTokens();
  }

  Usage withOutputTokens(long output) {
    return new Usage(inputTokens, cacheCreation5mInputTokens, cacheCreation1hInputTokens, cacheReadInputTokens,
        output);
  }

  JsonObject toJson() {
    return new JsonObject()
        .put("input_tokens", inputTokens)
        .put("cache_creation_input_tokens", cacheCreationInputTokens())
        .put("cache_read_input_tokens", cacheReadInputTokens)
        .put("cache_creation", new JsonObject()
            .put("ephemeral_5m_input_tokens", cacheCreation5mInputTokens)
            .put("ephemeral_1h_input_tokens", cacheCreation1hInputTokens))
        .put("output_tokens", outputTokens)
        .put("service_tier", "standard");
  }
}
