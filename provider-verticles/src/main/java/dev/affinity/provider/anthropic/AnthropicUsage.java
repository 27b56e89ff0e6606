package dev.affinity.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.affinity.model.TokenUsage;

/** Reads Anthropic's {@code usage} object. Fields the object lacks keep their earlier value. */
public final class AnthropicUsage {

  private AnthropicUsage() {
  }

  /**
   * Folds one {@code usage} object into what is known so far. {@code message_delta} usage is cumulative, so a
   * present field overwrites (never adds to) the earlier one.
   */
  public static TokenUsage merge(TokenUsage known, JsonNode usage) {
    if (usage == null || !usage.isObject()) {
      return known;
    }
    JsonNode creation = usage.path("cache_creation");
    long cacheCreation = number(usage, "cache_creation_input_tokens", known.cacheCreationInputTokens());
    long fiveMinutes = number(creation, "ephemeral_5m_input_tokens", known.cacheCreation5mTokens());
    long oneHour = number(creation, "ephemeral_1h_input_tokens", known.cacheCreation1hTokens());
    if (!creation.isObject() && usage.has("cache_creation_input_tokens")) {
      // older API versions give only the total: it was all written with the default 5 minute TTL
      fiveMinutes = cacheCreation;
      oneHour = 0;
    }
    return new TokenUsage(
        number(usage, "input_tokens", known.inputTokens()),
        cacheCreation,
        fiveMinutes,
        oneHour,
        number(usage, "cache_read_input_tokens", known.cacheReadInputTokens()),
        number(usage, "output_tokens", known.outputTokens()));
  }

  private static long number(JsonNode object, String field, long fallback) {
    JsonNode value = object.get(field);
    return value != null && value.isNumber() ? value.asLong() : fallback;
  }
}
