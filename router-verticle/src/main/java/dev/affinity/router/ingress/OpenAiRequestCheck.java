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
    GatewayError shape = RequestShape.check(body, "you must provide a model parameter", i -> "messages[" + i + "]");
    if (shape != null) {
      return shape;
    }
    JsonNode messages = body.get("messages");
    for (int i = 0; i < messages.size(); i++) {
      if (!messages.get(i).path("role").isTextual()) {
        return GatewayError.invalidRequest("messages[" + i + "].role: field required");
      }
    }
    GatewayError maxTokens = RequestShape.positiveInteger(body, "max_tokens");
    return maxTokens != null ? maxTokens : RequestShape.positiveInteger(body, "max_completion_tokens");
  }
}
