package dev.affinity.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.affinity.model.TokenUsage;

/**
 * Reads OpenAI's {@code usage} into the gateway's terms: {@code cached_tokens} are cache reads, the rest of the prompt
 * is uncached input. OpenAI caches automatically and reports no writes.
 */
public final class OpenAiUsage {

  private OpenAiUsage() {
  }

  /** The usage in {@code usage}, or null when it is absent or null (a chunk without usage). */
  public static TokenUsage of(JsonNode usage) {
    if (usage == null || !usage.isObject()) {
      return null;
    }
    long prompt = usage.path("prompt_tokens").asLong(0);
    long cached = usage.path("prompt_tokens_details").path("cached_tokens").asLong(0);
    return new TokenUsage(Math.max(0, prompt - cached), 0, 0, 0, cached, usage.path("completion_tokens").asLong(0));
  }

  /**
   * The usage of a Responses API answer ({@code input_tokens}, {@code input_tokens_details.cached_tokens},
   * {@code output_tokens}), or null when it is absent or null (a response still in progress).
   */
  public static TokenUsage ofResponse(JsonNode usage) {
    if (usage == null || !usage.isObject()) {
      return null;
    }
    long input = usage.path("input_tokens").asLong(0);
    long cached = usage.path("input_tokens_details").path("cached_tokens").asLong(0);
    return new TokenUsage(Math.max(0, input - cached), 0, 0, 0, cached, usage.path("output_tokens").asLong(0));
  }
}
