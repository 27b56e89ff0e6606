package dev.affinity.provider.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.model.TokenUsage;
import dev.affinity.provider.SseTap;
import dev.affinity.provider.anthropic.AnthropicUsage;

import java.io.IOException;

/**
 * The usage of a Bedrock stream, once decoded into Anthropic events: {@code message_start} and the cumulative
 * {@code message_delta}, as from Anthropic, then the {@code amazon-bedrock-invocationMetrics} Bedrock adds to
 * {@code message_stop}. Those metrics are what AWS bills, so their totals win where present.
 */
public final class BedrockUsageTap extends SseTap {

  private static final ObjectMapper JSON = new ObjectMapper();

  private TokenUsage usage = TokenUsage.NONE;
  private String errorType;

  @Override
  protected void onData(String event, String data) {
    if (!event.equals("message_start") && !event.equals("message_delta") && !event.equals("message_stop")
        && !event.equals("error")) {
      return;
    }
    try {
      JsonNode json = JSON.readTree(data);
      switch (event) {
        case "message_start" -> usage = AnthropicUsage.merge(usage, json.path("message").path("usage"));
        case "message_delta" -> usage = AnthropicUsage.merge(usage, json.path("usage"));
        case "message_stop" -> usage = withMetrics(usage, json.path("amazon-bedrock-invocationMetrics"));
        default -> errorType = json.path("error").path("type").asText("api_error");
      }
    } catch (IOException malformed) {
      // the decoder wrote these events from Bedrock's; a bad one is Bedrock's to explain, not ours to count
    }
  }

  /** Bedrock's billed counts over the event counts; the 5-minute/1-hour split of writes stays the events'. */
  static TokenUsage withMetrics(TokenUsage known, JsonNode metrics) {
    if (!metrics.isObject()) {
      return known;
    }
    long cacheWrite = metrics.path("cacheWriteInputTokenCount").asLong(known.cacheCreationInputTokens());
    long oneHour = Math.min(known.cacheCreation1hTokens(), cacheWrite);
    return new TokenUsage(
        metrics.path("inputTokenCount").asLong(known.inputTokens()),
        cacheWrite,
        cacheWrite - oneHour,
        oneHour,
        metrics.path("cacheReadInputTokenCount").asLong(known.cacheReadInputTokens()),
        metrics.path("outputTokenCount").asLong(known.outputTokens()));
  }

  @Override
  public TokenUsage usage() {
    return usage;
  }

  @Override
  public String errorType() {
    return errorType;
  }
}
