package dev.affinity.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.model.TokenUsage;
import dev.affinity.provider.SseTap;

import java.io.IOException;

/** Keeps the usage an Anthropic stream reports ({@code message_start}, cumulative {@code message_delta}) and errors. */
public final class SseUsageTap extends SseTap {

  private static final ObjectMapper JSON = new ObjectMapper();

  private TokenUsage usage = TokenUsage.NONE;
  private String errorType;

  @Override
  protected void onData(String event, String data) {
    if (!event.equals("message_start") && !event.equals("message_delta") && !event.equals("error")) {
      return;
    }
    try {
      JsonNode json = JSON.readTree(data);
      switch (event) {
        case "message_start" -> usage = AnthropicUsage.merge(usage, json.path("message").path("usage"));
        case "message_delta" -> usage = AnthropicUsage.merge(usage, json.path("usage"));
        default -> errorType = json.path("error").path("type").asText("api_error");
      }
    } catch (IOException malformed) {
      // not ours to judge: the client receives the bytes as they are
    }
  }

  @Override
  public TokenUsage usage() {
    return usage;
  }

  /** The error type of an in-stream {@code error} event, or null. */
  @Override
  public String errorType() {
    return errorType;
  }
}
