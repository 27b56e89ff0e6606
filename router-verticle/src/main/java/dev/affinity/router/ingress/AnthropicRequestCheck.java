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
    GatewayError shape = RequestShape.check(body, "model: field required", i -> "messages." + i);
    if (shape != null || operation.countsTokens()) {
      return shape;
    }
    JsonNode maxTokens = body.get("max_tokens");
    if (maxTokens == null || maxTokens.isNull()) {
      return GatewayError.invalidRequest("max_tokens: field required");
    }
    return RequestShape.positiveInteger(body, "max_tokens");
  }
}
