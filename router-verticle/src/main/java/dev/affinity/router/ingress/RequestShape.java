package dev.affinity.router.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import dev.affinity.model.GatewayError;

import java.util.function.BiFunction;
import java.util.function.IntFunction;

/** The fields both APIs share and the gateway relies on: a JSON object with a model, messages and a stream flag. */
final class RequestShape {

  private RequestShape() {
  }

  /** The first problem with the shared fields, or null. {@code element} names a message in the API's own style. */
  static GatewayError check(JsonNode body, String missingModel, IntFunction<String> element) {
    GatewayError shape = objectWithModel(body, missingModel, (field, message) -> GatewayError.invalidRequest(message));
    if (shape != null) {
      return shape;
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
        return GatewayError.invalidRequest(element.apply(i) + ": must be an object");
      }
    }
    JsonNode stream = body.get("stream");
    if (stream != null && !stream.isNull() && !stream.isBoolean()) {
      return GatewayError.invalidRequest("stream: must be a boolean");
    }
    return null;
  }

  /**
   * The first problem with what every API's body is, a JSON object naming a non-empty {@code model}, or null.
   * {@code refusal} makes the error of a field from its name and message, in the API's own style.
   */
  static GatewayError objectWithModel(JsonNode body, String missingModel,
                                      BiFunction<String, String, GatewayError> refusal) {
    if (!body.isObject()) {
      return GatewayError.invalidRequest("request body must be a JSON object");
    }
    JsonNode model = body.get("model");
    if (model == null || model.isNull()) {
      return refusal.apply("model", missingModel);
    }
    if (!model.isTextual() || model.asText().isBlank()) {
      return refusal.apply("model", "model: must be a non-empty string");
    }
    return null;
  }

  /** Null when {@code field} is absent or a positive integer, else the error. */
  static GatewayError positiveInteger(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value != null && !value.isNull()
        && (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < 1)) {
      return GatewayError.invalidRequest(field + ": must be an integer greater than or equal to 1");
    }
    return null;
  }
}
