package dev.affinity.router.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import dev.affinity.model.GatewayError;

/**
 * The checks OpenAI makes on the Chat Completions fields the gateway relies on; everything else passes through
 * untouched (the upstream, or the translation to Claude, judges the rest).
 */
public final class OpenAiRequestCheck {

  private OpenAiRequestCheck() {
  }

  /** The error for a parsed body, or null when the gateway can route it. */
  public static GatewayError check(JsonNode body) {
    if (!body.isObject()) {
      return GatewayError.invalidRequest("request body must be a JSON object");
    }
    JsonNode model = body.get("model");
    if (model == null || model.isNull()) {
      return GatewayError.invalidRequest("you must provide a model parameter");
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
      return GatewayError.invalidRequest("messages: must contain at least one message");
    }
    for (int i = 0; i < messages.size(); i++) {
      JsonNode message = messages.get(i);
      if (!message.isObject()) {
        return GatewayError.invalidRequest("messages[" + i + "]: must be an object");
      }
      if (!message.path("role").isTextual()) {
        return GatewayError.invalidRequest("messages[" + i + "].role: field required");
      }
    }
    JsonNode stream = body.get("stream");
    if (stream != null && !stream.isNull() && !stream.isBoolean()) {
      return GatewayError.invalidRequest("stream: must be a boolean");
    }
    for (String field : new String[] {"max_tokens", "max_completion_tokens"}) {
      JsonNode value = body.get(field);
      if (value != null && !value.isNull()
          && (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < 1)) {
        return GatewayError.invalidRequest(field + ": must be an integer greater than or equal to 1");
      }
    }
    return null;
  }
}
