package dev.affinity.router.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import dev.affinity.model.GatewayError;

import java.util.function.Predicate;

/**
 * The checks OpenAI makes on the Responses API fields the gateway relies on (routing, the prefix chain, the stored
 * response a follow-up names), each refusal naming its field as OpenAI's {@code param}; everything else passes through
 * untouched for the upstream to judge (item types the gateway does not know included: Codex sends reasoning and shell
 * call items).
 */
public final class ResponsesRequestCheck {

  private ResponsesRequestCheck() {
  }

  /** The error for a parsed body, or null when the gateway can route it. */
  public static GatewayError check(JsonNode body) {
    GatewayError shape = RequestShape.objectWithModel(body, "Missing required parameter: 'model'.",
        GatewayError::invalidField);
    if (shape != null) {
      return shape;
    }
    for (String field : new String[] {"previous_response_id", "instructions", "prompt_cache_key"}) {
      GatewayError text = optional(body, field, JsonNode::isTextual, "a string");
      if (text != null) {
        return text;
      }
    }
    for (String field : new String[] {"stream", "store"}) {
      GatewayError flag = optional(body, field, JsonNode::isBoolean, "a boolean");
      if (flag != null) {
        return flag;
      }
    }
    GatewayError tools = optional(body, "tools", JsonNode::isArray, "an array");
    if (tools != null) {
      return tools;
    }
    for (int i = 0; i < body.path("tools").size(); i++) {
      if (!body.get("tools").get(i).isObject()) {
        return GatewayError.invalidField("tools[" + i + "]", "tools[" + i + "]: must be an object");
      }
    }
    GatewayError maxTokens = RequestShape.positiveInteger(body, "max_output_tokens");
    if (maxTokens != null) {
      return GatewayError.invalidField("max_output_tokens", maxTokens.message());
    }
    return input(body);
  }

  private static GatewayError input(JsonNode body) {
    JsonNode input = body.get("input");
    if (input == null || input.isNull()) {
      return body.hasNonNull("previous_response_id") ? null
          : GatewayError.invalidField("input", "Missing required parameter: 'input'.");
    }
    if (input.isTextual()) {
      return null;
    }
    if (!input.isArray()) {
      return GatewayError.invalidField("input", "input: must be a string or an array of input items");
    }
    for (int i = 0; i < input.size(); i++) {
      String where = "input[" + i + "]";
      JsonNode item = input.get(i);
      if (!item.isObject()) {
        return GatewayError.invalidField(where, where + ": must be an object");
      }
      JsonNode type = item.get("type");
      if (type != null && !type.isTextual()) {
        return GatewayError.invalidField(where + ".type", where + ".type: must be a string");
      }
      if (type == null || type.asText().equals("message")) {
        if (!item.path("role").isTextual()) {
          return GatewayError.invalidField(where + ".role", where + ".role: field required");
        }
        JsonNode content = item.get("content");
        if (content == null || !content.isTextual() && !content.isArray()) {
          return GatewayError.invalidField(where + ".content", where + ".content: must be a string or an array of"
              + " content parts");
        }
      }
    }
    return null;
  }

  private static GatewayError optional(JsonNode body, String field, Predicate<JsonNode> shape,
                                       String expected) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull() || shape.test(value)) {
      return null;
    }
    return GatewayError.invalidField(field, field + ": must be " + expected);
  }
}
