package dev.affinity.emulator;

import io.vertx.core.json.JsonObject;

/**
 * Token counters of one account on one model.
 *
 * @param responses answers that began (the cache was read and written), streaming or not
 */
public record ModelCounters(long responses, long inputTokens, long cacheCreationInputTokens,
    long cacheReadInputTokens, long outputTokens) {

  JsonObject toJson() {
    return new JsonObject()
        .put("responses", responses)
        .put("input_tokens", inputTokens)
        .put("cache_creation_input_tokens", cacheCreationInputTokens)
        .put("cache_read_input_tokens", cacheReadInputTokens)
        .put("output_tokens", outputTokens);
  }
}
