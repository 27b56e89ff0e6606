package dev.affinity.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.model.TokenUsage;
import dev.affinity.provider.translate.Answer;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;

/**
 * A complete answer in Anthropic's message format, relayed as it came: its usage, and for an error its type (an
 * answer that is not JSON is an {@code api_error}).
 */
public final class AnthropicAnswer {

  private static final ObjectMapper JSON = new ObjectMapper();

  private AnthropicAnswer() {
  }

  /** Anthropic's own answer of HTTP {@code status}: relayed unchanged. */
  public static Answer read(int status, Buffer body) {
    JsonNode json;
    try {
      json = JSON.readTree(body.getBytes());
    } catch (IOException notJson) {
      json = null;
    }
    TokenUsage usage = json == null ? TokenUsage.NONE : AnthropicUsage.merge(TokenUsage.NONE, json.path("usage"));
    String errorType = status < 400 ? null
        : json == null ? "api_error" : json.path("error").path("type").asText("api_error");
    return Answer.relayed(body, usage, errorType);
  }

  /** A successful message that reached the gateway in another envelope (Bedrock, Vertex AI): relayed as JSON. */
  public static Answer message(JsonNode message, Buffer body) {
    return Answer.json(0, body, AnthropicUsage.merge(TokenUsage.NONE, message.path("usage")), null);
  }
}
