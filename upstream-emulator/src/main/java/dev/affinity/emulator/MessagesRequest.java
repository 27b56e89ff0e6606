package dev.affinity.emulator;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A validated {@code POST /v1/messages} (or {@code count_tokens}) body: the fields the emulator acts on plus the
 * prompt laid out for the cache. Unknown fields are accepted and ignored, as the real API does with most.
 *
 * @param forcedTool the tool the answer must call ({@code tool_choice} {@code any} or {@code tool}), or null
 */
record MessagesRequest(String model, int maxTokens, boolean stream, JsonObject forcedTool, PromptLayout layout) {

  /** Validates a Messages API body. */
  static MessagesRequest parse(Buffer body) {
    return parse(jsonObject(body));
  }

  /** Validates a Messages API body already parsed (Bedrock's, once its own checks passed and the model is known). */
  static MessagesRequest parse(JsonObject json) {
    String model = model(json);
    int maxTokens = maxTokens(json);
    messages(json);
    Object stream = json.getValue("stream");
    if (stream != null && !(stream instanceof Boolean)) {
      throw ApiError.invalidRequest("stream: Input should be a valid boolean");
    }
    PromptLayout layout = PromptLayout.of(model, json);
    return new MessagesRequest(model, maxTokens, Boolean.TRUE.equals(stream), forcedTool(json), layout);
  }

  /** Validates a {@code count_tokens} body, which has no {@code max_tokens}. */
  static PromptLayout parseForCounting(Buffer body) {
    JsonObject json = jsonObject(body);
    String model = model(json);
    messages(json);
    return PromptLayout.of(model, json);
  }

  private static JsonObject jsonObject(Buffer body) {
    if (body == null || body.length() == 0) {
      throw ApiError.invalidRequest("The request body is empty: expected a JSON object");
    }
    try {
      Object value = body.toJsonValue();
      if (value instanceof JsonObject object) {
        return object;
      }
    } catch (DecodeException e) {
      throw ApiError.invalidRequest("There was an error parsing the body of your request: invalid JSON");
    }
    throw ApiError.invalidRequest("The request body must be a JSON object");
  }

  private static String model(JsonObject json) {
    Object model = json.getValue("model");
    if (model == null) {
      throw ApiError.invalidRequest("model: Field required");
    }
    if (!(model instanceof String name) || name.isEmpty()) {
      throw ApiError.invalidRequest("model: Input should be a valid string");
    }
    return name;
  }

  private static int maxTokens(JsonObject json) {
    Object maxTokens = json.getValue("max_tokens");
    if (maxTokens == null) {
      throw ApiError.invalidRequest("max_tokens: Field required");
    }
    if (!(maxTokens instanceof Integer || maxTokens instanceof Long)) {
      throw ApiError.invalidRequest("max_tokens: Input should be a valid integer");
    }
    long value = ((Number) maxTokens).longValue();
    if (value < 1) {
      throw ApiError.invalidRequest("max_tokens: Input should be greater than or equal to 1");
    }
    return (int) Math.min(value, Integer.MAX_VALUE);
  }

  private static void messages(JsonObject json) {
    Object messages = json.getValue("messages");
    if (messages == null) {
      throw ApiError.invalidRequest("messages: Field required");
    }
    if (!(messages instanceof JsonArray list)) {
      throw ApiError.invalidRequest("messages: Input should be a valid list");
    }
    if (list.isEmpty()) {
      throw ApiError.invalidRequest("messages: at least one message is required");
    }
  }

  private static JsonObject forcedTool(JsonObject json) {
    if (!(json.getValue("tool_choice") instanceof JsonObject choice)) {
      return null;
    }
    Object type = choice.getValue("type");
    if (!"any".equals(type) && !"tool".equals(type)) {
      return null;
    }
    JsonArray tools = json.getValue("tools") instanceof JsonArray list ? list : new JsonArray();
    if (tools.isEmpty()) {
      throw ApiError.invalidRequest("tool_choice: tools must be provided when tool_choice.type is '" + type + "'");
    }
    if ("any".equals(type)) {
      return tools.getJsonObject(0);
    }
    Object name = choice.getValue("name");
    for (int i = 0; i < tools.size(); i++) {
      JsonObject tool = tools.getJsonObject(i);
      if (tool.getValue("name") != null && tool.getValue("name").equals(name)) {
        return tool;
      }
    }
    throw ApiError.invalidRequest("tool_choice.name: no tool named '" + name + "' in tools");
  }
}
