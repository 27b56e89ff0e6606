package dev.affinity.emulator;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * A validated {@code POST /v1/chat/completions} body: the fields the emulator acts on plus the prompt laid out for
 * OpenAI's cache. Validation answers in OpenAI's words ({@code param} and {@code code} included); fields the emulator
 * does not act on are accepted and ignored.
 *
 * @param maxOutputTokens {@code max_completion_tokens}, else {@code max_tokens}, else {@link Integer#MAX_VALUE}
 * @param forcedTool the {@code function} object of the tool the answer must call, or null
 * @param namedTool whether {@code tool_choice} named that function (rather than {@code "required"})
 * @param directedTool the tool call a test's directive asks of this turn ({@link ToolDirective}), or null
 */
record ChatCompletionRequest(String model, boolean stream, boolean includeUsage, int maxOutputTokens,
    JsonObject forcedTool, boolean namedTool, OpenAiPromptCache.Retention retention, ChatPrompt prompt,
    ToolDirective directedTool) {

  private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool", "function");

  static ChatCompletionRequest parse(Buffer body) {
    JsonObject json = jsonObject(body);
    Object model = json.getValue("model");
    if (model == null) {
      throw OpenAiError.invalidRequest("you must provide a model parameter", null, null);
    }
    if (!(model instanceof String name) || name.isEmpty()) {
      throw OpenAiError.invalidType("model", "a string", model);
    }
    JsonArray messages = messages(json);
    JsonArray tools = tools(json);
    metadata(json);
    boolean stream = bool(json, "stream");
    boolean includeUsage = false;
    Object streamOptions = json.getValue("stream_options");
    if (streamOptions != null) {
      if (!stream) {
        throw OpenAiError.invalidRequest("The 'stream_options' parameter is only allowed when 'stream' is enabled.",
            "stream_options", null);
      }
      if (!(streamOptions instanceof JsonObject options)) {
        throw OpenAiError.invalidType("stream_options", "an object", streamOptions);
      }
      includeUsage = bool(options, "include_usage");
    }
    Integer maxCompletion = positiveInteger(json, "max_completion_tokens");
    Integer maxTokens = positiveInteger(json, "max_tokens");
    int maxOutput = maxCompletion != null ? maxCompletion : maxTokens != null ? maxTokens : Integer.MAX_VALUE;
    Object cacheKey = json.getValue("prompt_cache_key");
    if (cacheKey != null && !(cacheKey instanceof String)) {
      throw OpenAiError.invalidType("prompt_cache_key", "a string", cacheKey);
    }
    OpenAiPromptCache.Retention retention = retention(json);
    ForcedTool forced = forcedTool(json, tools);
    ChatPrompt prompt = ChatPrompt.of(name, (String) cacheKey, tools, messages);
    ToolDirective directed = forced != null || tools == null ? null
        : ToolDirective.next(messages, function -> offers(tools, function));
    return new ChatCompletionRequest(name, stream, includeUsage, maxOutput,
        forced == null ? null : forced.function(), forced != null && forced.named(), retention, prompt, directed);
  }

  /**
   * OpenAI's {@code metadata} (Chat Completions and Responses): at most 16 pairs, keys of at most 64 characters,
   * values strings of at most 512. A gateway's own metadata (LiteLLM's {@code tags} array, say) is refused here as
   * OpenAI refuses it.
   */
  static void metadata(JsonObject json) {
    Object value = json.getValue("metadata");
    if (value == null) {
      return;
    }
    if (!(value instanceof JsonObject metadata)) {
      throw OpenAiError.invalidType("metadata", "an object", value);
    }
    if (metadata.size() > 16) {
      throw OpenAiError.invalidRequest("Invalid 'metadata': too many properties. Expected an object with at most 16"
          + " properties, but got an object with " + metadata.size() + " properties instead.", "metadata",
          "object_above_max_properties");
    }
    for (String key : metadata.fieldNames()) {
      Object pair = metadata.getValue(key);
      if (key.length() > 64) {
        throw OpenAiError.invalidRequest("Invalid 'metadata': a key longer than 64 characters.", "metadata", null);
      }
      if (!(pair instanceof String text)) {
        throw OpenAiError.invalidType("metadata." + key, "a string", pair);
      }
      if (text.length() > 512) {
        throw OpenAiError.invalidRequest("Invalid 'metadata." + key + "': string too long. Expected a string with"
            + " maximum length 512, but got a string with length " + text.length() + " instead.",
            "metadata." + key, "string_above_max_length");
      }
    }
  }

  /** The body as a JSON object, else OpenAI's 400 for a body it cannot parse (its words, for every OpenAI route). */
  static JsonObject jsonObject(Buffer body) {
    try {
      if (body != null && body.length() > 0 && body.toJsonValue() instanceof JsonObject object) {
        return object;
      }
    } catch (DecodeException e) {
      // answered below
    }
    throw OpenAiError.invalidRequest("We could not parse the JSON body of your request. (HINT: This likely means"
        + " you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent"
        + " was not valid JSON.)", null, null);
  }

  private static JsonArray messages(JsonObject json) {
    Object value = json.getValue("messages");
    if (value == null) {
      throw OpenAiError.missingParameter("messages");
    }
    if (!(value instanceof JsonArray messages)) {
      throw OpenAiError.invalidType("messages", "an array", value);
    }
    if (messages.isEmpty()) {
      throw OpenAiError.invalidRequest("Invalid 'messages': empty array. Expected an array with minimum length 1,"
          + " but got an empty array instead.", "messages", "empty_array");
    }
    for (int i = 0; i < messages.size(); i++) {
      String where = "messages[" + i + "]";
      if (!(messages.getValue(i) instanceof JsonObject message)) {
        throw OpenAiError.invalidType(where, "an object", messages.getValue(i));
      }
      Object role = message.getValue("role");
      if (role == null) {
        throw OpenAiError.missingParameter(where + ".role");
      }
      if (!(role instanceof String name) || !ROLES.contains(name)) {
        throw OpenAiError.invalidRequest("Invalid value: '" + role + "'. Supported values are: 'system',"
            + " 'assistant', 'user', 'function', 'tool', and 'developer'.", where + ".role", "invalid_value");
      }
      content(message, name, where);
    }
    return messages;
  }

  private static void content(JsonObject message, String role, String where) {
    Object content = message.getValue("content");
    if (content == null) {
      // An assistant turn may carry only tool calls (or a refusal).
      if (!"assistant".equals(role)) {
        throw OpenAiError.missingParameter(where + ".content");
      }
      return;
    }
    if (content instanceof String) {
      return;
    }
    if (!(content instanceof JsonArray parts)) {
      throw OpenAiError.invalidType(where + ".content", "one of a string or array of objects", content);
    }
    for (int i = 0; i < parts.size(); i++) {
      String partWhere = where + ".content[" + i + "]";
      if (!(parts.getValue(i) instanceof JsonObject part)) {
        throw OpenAiError.invalidType(partWhere, "an object", parts.getValue(i));
      }
      Object type = part.getValue("type");
      if (type == null) {
        throw OpenAiError.missingParameter(partWhere + ".type");
      }
      if ("text".equals(type) && !(part.getValue("text") instanceof String)) {
        throw OpenAiError.missingParameter(partWhere + ".text");
      }
    }
  }

  /** Whether {@code tools} include a function named {@code name}. */
  private static boolean offers(JsonArray tools, String name) {
    return function(tools, name) != null;
  }

  /** The {@code function} of the first tool that has one named {@code name} (any name when null), or null. */
  private static JsonObject function(JsonArray tools, String name) {
    for (Object tool : tools) {
      if (tool instanceof JsonObject definition && definition.getValue("function") instanceof JsonObject function
          && (name == null || name.equals(function.getValue("name")))) {
        return function;
      }
    }
    return null;
  }

  /**
   * {@code tools} checked as both OpenAI APIs check it: absent (null), or a list of objects that each have a
   * {@code type}.
   */
  static JsonArray typedTools(JsonObject json) {
    Object value = json.getValue("tools");
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonArray tools)) {
      throw OpenAiError.invalidType("tools", "an array", value);
    }
    for (int i = 0; i < tools.size(); i++) {
      String where = "tools[" + i + "]";
      if (!(tools.getValue(i) instanceof JsonObject tool)) {
        throw OpenAiError.invalidType(where, "an object", tools.getValue(i));
      }
      if (tool.getValue("type") == null) {
        throw OpenAiError.missingParameter(where + ".type");
      }
    }
    return tools;
  }

  private static JsonArray tools(JsonObject json) {
    JsonArray tools = typedTools(json);
    for (int i = 0; tools != null && i < tools.size(); i++) {
      String where = "tools[" + i + "]";
      JsonObject tool = tools.getJsonObject(i);
      if ("function".equals(tool.getValue("type"))) {
        if (!(tool.getValue("function") instanceof JsonObject function)) {
          throw OpenAiError.missingParameter(where + ".function");
        }
        if (!(function.getValue("name") instanceof String)) {
          throw OpenAiError.missingParameter(where + ".function.name");
        }
      }
    }
    return tools;
  }

  private record ForcedTool(JsonObject function, boolean named) {
  }

  /**
   * The tool the answer must call, or null when the model may answer in text ({@code tool_choice} absent,
   * {@code "auto"} or {@code "none"}).
   */
  private static ForcedTool forcedTool(JsonObject json, JsonArray tools) {
    Object choice = json.getValue("tool_choice");
    if (choice == null) {
      return null;
    }
    if (tools == null || tools.isEmpty()) {
      throw OpenAiError.invalidRequest("Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools'"
          + " are specified.", "tool_choice", null);
    }
    if (choice instanceof String mode) {
      return switch (mode) {
        case "none", "auto" -> null;
        case "required" -> new ForcedTool(firstFunction(tools), false);
        default -> throw OpenAiError.invalidRequest("Invalid value: '" + mode + "'. Supported values are: 'none',"
            + " 'auto', and 'required'.", "tool_choice", "invalid_value");
      };
    }
    if (!(choice instanceof JsonObject object)) {
      throw OpenAiError.invalidType("tool_choice", "one of a string or an object", choice);
    }
    if (!"function".equals(object.getValue("type"))) {
      // allowed_tools, custom tools...: not played; the model answers in text.
      return null;
    }
    if (!(object.getValue("function") instanceof JsonObject named)
        || !(named.getValue("name") instanceof String name)) {
      throw OpenAiError.missingParameter("tool_choice.function.name");
    }
    JsonObject function = function(tools, name);
    if (function != null) {
      return new ForcedTool(function, true);
    }
    throw OpenAiError.invalidRequest("Invalid value for 'tool_choice': function '" + name
        + "' is not among the 'tools' provided.", "tool_choice", null);
  }

  private static JsonObject firstFunction(JsonArray tools) {
    JsonObject function = function(tools, null);
    if (function != null) {
      return function;
    }
    throw OpenAiError.invalidRequest("Invalid value for 'tool_choice': 'required' needs at least one function tool.",
        "tool_choice", null);
  }

  static OpenAiPromptCache.Retention retention(JsonObject json) {
    Object value = json.getValue("prompt_cache_retention");
    if (value == null) {
      return OpenAiPromptCache.Retention.IN_MEMORY;
    }
    OpenAiPromptCache.Retention retention =
        value instanceof String wire ? OpenAiPromptCache.Retention.fromWire(wire) : null;
    if (retention == null) {
      throw OpenAiError.invalidRequest("Invalid value: '" + value + "'. Supported values are: 'in_memory' and"
          + " '24h'.", "prompt_cache_retention", "invalid_value");
    }
    return retention;
  }

  /** A boolean field, false when absent or null; another type is OpenAI's {@code invalid_type}. */
  static boolean bool(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (value == null) {
      return false;
    }
    if (value instanceof Boolean flag) {
      return flag;
    }
    throw OpenAiError.invalidType(field, "a boolean", value);
  }

  private static Integer positiveInteger(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Integer || value instanceof Long)) {
      throw OpenAiError.invalidType(field, "an integer", value);
    }
    long number = ((Number) value).longValue();
    if (number < 1) {
      throw OpenAiError.invalidRequest("Invalid '" + field + "': integer below minimum value. Expected a value >= 1,"
          + " but got " + number + " instead.", field, "integer_below_min_value");
    }
    return (int) Math.min(number, Integer.MAX_VALUE);
  }
}
