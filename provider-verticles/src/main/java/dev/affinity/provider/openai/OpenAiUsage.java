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
    return read(usage, "prompt_tokens", "prompt_tokens_details", "completion_tokens");
  }

  /**
   * The usage of a Responses API answer ({@code input_tokens}, {@code input_tokens_details.cached_tokens},
   * {@code output_tokens}), or null when it is absent or null (a response still in progress).
   */
  public static TokenUsage ofResponse(JsonNode usage) {
    return read(usage, "input_tokens", "input_tokens_details", "output_tokens");
  }

  /** The two APIs name the same three numbers differently. */
  private static TokenUsage read(JsonNode usage, String input, String inputDetails, String output) {
    if (usage == null || !usage.isObject()) {
      return null;
    }
    long prompt = usage.path(input).asLong(0);
    long cached = usage.path(inputDetails).path("cached_tokens").asLong(0);
    return new TokenUsage(Math.max(0, prompt - cached), 0, 0, 0, cached, usage.path(output).asLong(0));
  }
}
