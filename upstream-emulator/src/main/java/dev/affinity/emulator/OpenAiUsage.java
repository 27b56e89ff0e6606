package dev.affinity.emulator;

import io.vertx.core.json.JsonObject;

/**
 * Token usage of one Chat Completions answer, in OpenAI's field names.
 *
 * @param promptTokens every prompt token, cached ones included
 * @param cachedTokens of those, the ones read from the cache: 0, or 1024 + k × 128
 */
record OpenAiUsage(long promptTokens, long cachedTokens, long completionTokens) {

  /** The same prompt figures in the shape the latency model reads. */
  Usage asLatencyInput() {
    return new Usage(promptTokens - cachedTokens, 0, 0, cachedTokens, 0);
  }

  JsonObject toJson() {
    return new JsonObject()
        .put("prompt_tokens", promptTokens)
        .put("completion_tokens", completionTokens)
        .put("total_tokens", promptTokens + completionTokens)
        .put("prompt_tokens_details", new JsonObject()
            .put("cached_tokens", cachedTokens)
            .put("audio_tokens", 0))
        .put("completion_tokens_details", new JsonObject()
            .put("reasoning_tokens", 0)
            .put("audio_tokens", 0)
            .put("accepted_prediction_tokens", 0)
            .put("rejected_prediction_tokens", 0));
  }
}
