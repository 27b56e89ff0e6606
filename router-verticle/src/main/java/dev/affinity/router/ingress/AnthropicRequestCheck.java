package dev.affinity.router.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import dev.affinity.model.GatewayError;
import dev.affinity.model.Operation;

/**
 * The checks Anthropic itself makes on the fields the gateway relies on, so a broken request is answered by the
 * gateway with the same 400 instead of costing an upstream round trip. Everything else passes through untouched.
 */
public final class AnthropicRequestCheck {

  private AnthropicRequestCheck() {
  }

  /** The error for a parsed body, or null when the gateway can route it. */
  public static GatewayError check(JsonNode body, Operation operation) {
    if (!body.isObject()) {
      return GatewayError.invalidRequest("request body must be a JSON object");
    }
    JsonNode model = body.get("model");
    if (model == null || model.isNull()) {
      return GatewayError.invalidRequest("model: field required");
    }
    if (!model.isTextual() || model.asText().isBlank()) {
      return GatewayError.invalidRequest("model: must be a non-empty string");
    }
    JsonNode messages = body.get("messages");
    if (messages == null || messages.isNull()) {
      return GatewayError.invalidRequest("messages: field required");
    }
    if (!messages.isArray()) {
      return GatewayError.invalidRequest("messages: must be an array");
    }
    if (messages.isEmpty()) {
      return GatewayError.invalidRequest("messages: at least one message is required");
    }
    for (int i = 0; i < messages.size(); i++) {
      if (!messages.get(i).isObject()) {
        return GatewayError.invalidRequest("messages." + i + ": must be an object");
      }
    }
    JsonNode stream = body.get("stream");
    if (stream != null && !stream.isNull() && !stream.isBoolean()) {
      return GatewayError.invalidRequest("stream: must be a boolean");
    }
    if (operation == Operation.MESSAGES) {
      JsonNode maxTokens = body.get("max_tokens");
      if (maxTokens == null || maxTokens.isNull()) {
        return GatewayError.invalidRequest("max_tokens: field required");
      }
      if (!maxTokens.isIntegralNumber() || !maxTokens.canConvertToLong() || maxTokens.asLong() < 1) {
        return GatewayError.invalidRequest("max_tokens: must be an integer greater than or equal to 1");
      }
    }
    return null;
  }
}
