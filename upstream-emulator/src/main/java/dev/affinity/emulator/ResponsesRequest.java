package dev.affinity.emulator;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A validated {@code POST /v1/responses} body: the fields the emulator acts on, and the input items in one normal
 * form ({@code type} always set; a message's {@code content} always a list of parts, a string being one
 * {@code input_text} part, or {@code output_text} for the assistant). Validation answers in OpenAI's words
 * ({@code param} and {@code code} included); fields the emulator does not act on ({@code temperature},
 * {@code reasoning}...) are accepted and ignored, {@code metadata} once it has OpenAI's shape.
 *
 * @param background      {@code background}: answered at once as {@code queued} (its stream's first events), completed
 *                        later, whether or not a stream's client stays
 * @param maxOutputTokens {@code max_output_tokens}, else {@link Integer#MAX_VALUE}
 * @param forcedTool      the function tool the answer must call, or null
 * @param toolChoice      {@code tool_choice} as given (echoed in the answer), or null
 * @param tools           the {@code tools} as given, or null
 * @param input           the request's own items, normalised
 * @param reasoning       how the model reasons before answering ({@code reasoning}, {@code include})
 */
record ResponsesRequest(String model, boolean stream, boolean store, boolean background, int maxOutputTokens,
    String instructions,
    JsonArray tools, Object toolChoice, JsonObject forcedTool, String previousResponseId, String cacheKey,
    OpenAiPromptCache.Retention retention, List<JsonObject> input, Reasoning reasoning) {

  /**
   * The request's reasoning settings.
   *
   * @param effort    {@code reasoning.effort}, or null when not given; {@code none} reasons not at all
   * @param summary   {@code reasoning.summary} as given ({@code auto}, {@code concise}, {@code detailed} ask for
   *                  one), or null
   * @param encrypted whether {@code include} asks for {@code reasoning.encrypted_content}
   */
  record Reasoning(String effort, String summary, boolean encrypted) {

    private static final Set<String> EFFORTS = Set.of("none", "minimal", "low", "medium", "high", "xhigh");
    private static final Set<String> SUMMARIES = Set.of("auto", "concise", "detailed");

    /** Whether the answer starts with a reasoning item: an effort was asked for, and it is not {@code none}. */
    boolean reasons() {
      return effort != null && !effort.equals("none");
    }

    /** Whether the reasoning item carries a summary. */
    boolean summarized() {
      return summary != null && SUMMARIES.contains(summary);
    }

    static Reasoning of(JsonObject json) {
      Object value = json.getValue("reasoning");
      String effort = null;
      String summary = null;
      if (value != null) {
        if (!(value instanceof JsonObject reasoning)) {
          throw OpenAiError.invalidType("reasoning", "an object", value);
        }
        Object given = reasoning.getValue("effort");
        if (given != null && !(given instanceof String name && EFFORTS.contains(name))) {
          throw OpenAiError.invalidRequest("Invalid value: '" + given + "'. Supported values are: 'none', 'minimal',"
              + " 'low', 'medium', 'high', and 'xhigh'.", "reasoning.effort", "invalid_value");
        }
        effort = (String) given;
        summary = reasoning.getValue("summary") instanceof String kind ? kind : null;
      }
      boolean encrypted = json.getValue("include") instanceof JsonArray include
          && include.contains("reasoning.encrypted_content");
      return new Reasoning(effort, summary, encrypted);
    }
  }

  /** OpenAI refuses a smaller {@code max_output_tokens}. */
  static final int MINIMUM_OUTPUT_TOKENS = 16;

  private static final Set<String> ROLES = Set.of("user", "assistant", "system", "developer");
  private static final Set<String> TEXT_PARTS = Set.of("input_text", "output_text");
  private static final Set<String> ITEM_TYPES = Set.of("message", "function_call", "function_call_output",
      "reasoning");

  static ResponsesRequest parse(Buffer body) {
    JsonObject json = ChatCompletionRequest.jsonObject(body);
    Object model = json.getValue("model");
    if (model == null) {
      throw OpenAiError.missingParameter("model");
    }
    if (!(model instanceof String name) || name.isEmpty()) {
      throw OpenAiError.invalidType("model", "a string", model);
    }
    String previous = optionalString(json, "previous_response_id");
    List<JsonObject> input = input(json.getValue("input"));
    if (input.isEmpty() && previous == null) {
      throw OpenAiError.missingParameter("input");
    }
    JsonArray tools = tools(json);
    ChatCompletionRequest.metadata(json);
    Object maxOutput = json.getValue("max_output_tokens");
    int maxOutputTokens = Integer.MAX_VALUE;
    if (maxOutput != null) {
      if (!(maxOutput instanceof Integer || maxOutput instanceof Long)) {
        throw OpenAiError.invalidType("max_output_tokens", "an integer", maxOutput);
      }
      long number = ((Number) maxOutput).longValue();
      if (number < MINIMUM_OUTPUT_TOKENS) {
        throw OpenAiError.invalidRequest("Invalid 'max_output_tokens': integer below minimum value. Expected a value"
            + " >= " + MINIMUM_OUTPUT_TOKENS + ", but got " + number + " instead.", "max_output_tokens",
            "integer_below_min_value");
      }
      maxOutputTokens = (int) Math.min(number, Integer.MAX_VALUE);
    }
    // stored unless the client says not to
    boolean store = json.getValue("store") == null || ChatCompletionRequest.bool(json, "store");
    boolean stream = ChatCompletionRequest.bool(json, "stream");
    boolean background = ChatCompletionRequest.bool(json, "background");
    if (background && !store) {
      throw OpenAiError.invalidRequest("Background mode requires store=true.", "store", null);
    }
    return new ResponsesRequest(name, stream, store, background, maxOutputTokens,
        optionalString(json, "instructions"), tools, json.getValue("tool_choice"), forcedTool(json, tools), previous,
        optionalString(json, "prompt_cache_key"), ChatCompletionRequest.retention(json), input, Reasoning.of(json));
  }

  /** The prompt of this request after {@code earlier} (the stored conversation it continues, empty when none). */
  ChatPrompt prompt(List<JsonObject> earlier) {
    return ChatPrompt.ofResponses(model, cacheKey, tools, instructions, conversation(earlier));
  }

  /** The items the model reads: the earlier conversation, then this request's input. */
  List<JsonObject> conversation(List<JsonObject> earlier) {
    List<JsonObject> items = new ArrayList<>(earlier.size() + input.size());
    items.addAll(earlier);
    items.addAll(input);
    return items;
  }

  private static String optionalString(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (value != null && !(value instanceof String)) {
      throw OpenAiError.invalidType(field, "a string", value);
    }
    return (String) value;
  }

  /** {@code input}: a string (one user message) or a list of items. */
  private static List<JsonObject> input(Object value) {
    List<JsonObject> items = new ArrayList<>();
    if (value == null) {
      return items;
    }
    if (value instanceof String text) {
      items.add(message("user", new JsonArray().add(textPart("user", text))));
      return items;
    }
    if (!(value instanceof JsonArray list)) {
      throw OpenAiError.invalidType("input", "one of a string or array of input items", value);
    }
    for (int i = 0; i < list.size(); i++) {
      String where = "input[" + i + "]";
      if (!(list.getValue(i) instanceof JsonObject item)) {
        throw OpenAiError.invalidType(where, "an object", list.getValue(i));
      }
      items.add(item(item, where));
    }
    return items;
  }

  private static JsonObject item(JsonObject item, String where) {
    Object type = item.getValue("type");
    if (type == null && item.getValue("role") != null) {
      type = "message";
    }
    if (type == null) {
      throw OpenAiError.missingParameter(where + ".type");
    }
    if (!(type instanceof String kind) || !ITEM_TYPES.contains(kind)) {
      throw OpenAiError.invalidRequest("Invalid value: '" + type + "'. Supported values are: 'message',"
          + " 'function_call', 'function_call_output', and 'reasoning'.", where + ".type", "invalid_value");
    }
    return switch (kind) {
      case "message" -> messageItem(item, where);
      case "reasoning" -> {
        // a reasoning item handed back (Codex does, with store: false): read as part of the prompt, as OpenAI does
        if (!(item.getValue("summary") instanceof JsonArray)) {
          throw item.getValue("summary") == null ? OpenAiError.missingParameter(where + ".summary")
              : OpenAiError.invalidType(where + ".summary", "an array", item.getValue("summary"));
        }
        yield item.copy();
      }
      case "function_call" -> {
        requireString(item, "call_id", where);
        requireString(item, "name", where);
        requireString(item, "arguments", where);
        yield item.copy();
      }
      default -> {
        requireString(item, "call_id", where);
        Object output = item.getValue("output");
        if (output == null) {
          throw OpenAiError.missingParameter(where + ".output");
        }
        if (!(output instanceof String) && !(output instanceof JsonArray)) {
          throw OpenAiError.invalidType(where + ".output", "one of a string or array", output);
        }
        yield item.copy();
      }
    };
  }

  private static JsonObject messageItem(JsonObject item, String where) {
    Object role = item.getValue("role");
    if (role == null) {
      throw OpenAiError.missingParameter(where + ".role");
    }
    if (!(role instanceof String name) || !ROLES.contains(name)) {
      throw OpenAiError.invalidRequest("Invalid value: '" + role + "'. Supported values are: 'user', 'assistant',"
          + " 'system', and 'developer'.", where + ".role", "invalid_value");
    }
    Object content = item.getValue("content");
    if (content == null) {
      throw OpenAiError.missingParameter(where + ".content");
    }
    if (content instanceof String text) {
      return message(name, new JsonArray().add(textPart(name, text)));
    }
    if (!(content instanceof JsonArray parts)) {
      throw OpenAiError.invalidType(where + ".content", "one of a string or array of input content", content);
    }
    JsonArray normal = new JsonArray();
    for (int i = 0; i < parts.size(); i++) {
      String partWhere = where + ".content[" + i + "]";
      if (!(parts.getValue(i) instanceof JsonObject part)) {
        throw OpenAiError.invalidType(partWhere, "an object", parts.getValue(i));
      }
      Object partType = part.getValue("type");
      if (partType == null) {
        throw OpenAiError.missingParameter(partWhere + ".type");
      }
      if (TEXT_PARTS.contains(partType)) {
        requireString(part, "text", partWhere);
        // the text is what the model reads: annotations and other decorations of an echoed output are not
        normal.add(new JsonObject().put("type", partType).put("text", part.getString("text")));
      } else {
        normal.add(part.copy());
      }
    }
    return message(name, normal);
  }

  private static void requireString(JsonObject object, String field, String where) {
    Object value = object.getValue(field);
    if (value == null) {
      throw OpenAiError.missingParameter(where + "." + field);
    }
    if (!(value instanceof String)) {
      throw OpenAiError.invalidType(where + "." + field, "a string", value);
    }
  }

  static JsonObject message(String role, JsonArray content) {
    return new JsonObject().put("type", "message").put("role", role).put("content", content);
  }

  private static JsonObject textPart(String role, String text) {
    return new JsonObject().put("type", "assistant".equals(role) ? "output_text" : "input_text").put("text", text);
  }

  /**
   * {@code tools}: function tools must be named. Other types (OpenAI's built-in {@code web_search}, Codex's
   * {@code namespace} of functions, {@code custom} tools...) are accepted, as OpenAI accepts them, and never called:
   * the emulated model calls a function only when forced or directed.
   */
  private static JsonArray tools(JsonObject json) {
    JsonArray tools = ChatCompletionRequest.typedTools(json);
    for (int i = 0; tools != null && i < tools.size(); i++) {
      JsonObject tool = tools.getJsonObject(i);
      if ("function".equals(tool.getValue("type"))) {
        requireString(tool, "name", "tools[" + i + "]");
      }
    }
    return tools;
  }

  /** Whether {@code tools} include a function named {@code name}. */
  static boolean offers(JsonArray tools, String name) {
    return function(tools, name) != null;
  }

  /**
   * The first function tool of {@code tools} named {@code name} (any name when null), or null when none is: the
   * emulated model calls functions only, never a built-in tool.
   */
  private static JsonObject function(JsonArray tools, String name) {
    for (int i = 0; tools != null && i < tools.size(); i++) {
      JsonObject tool = tools.getJsonObject(i);
      if ("function".equals(tool.getValue("type")) && (name == null || name.equals(tool.getValue("name")))) {
        return tool;
      }
    }
    return null;
  }

  /**
   * The function the answer must call: the first one for {@code "required"}, the named one for
   * {@code {"type":"function","name":...}}; null when the model may answer in text.
   */
  private static JsonObject forcedTool(JsonObject json, JsonArray tools) {
    Object choice = json.getValue("tool_choice");
    if (choice == null) {
      return null;
    }
    if (choice instanceof String mode) {
      return switch (mode) {
        case "none", "auto" -> null;
        case "required" -> {
          if (tools == null || tools.isEmpty()) {
            throw OpenAiError.invalidRequest("Tool choice 'required' must be specified with 'tools' parameter.",
                "tool_choice", null);
          }
          // the emulated model calls functions only; with built-in tools alone it cannot call one
          JsonObject first = function(tools, null);
          if (first == null) {
            throw OpenAiError.invalidRequest("The emulator plays 'required' with function tools only.",
                "tool_choice", "unsupported_value");
          }
          yield first;
        }
        default -> throw OpenAiError.invalidRequest("Invalid value: '" + mode + "'. Supported values are: 'none',"
            + " 'auto', and 'required'.", "tool_choice", "invalid_value");
      };
    }
    if (!(choice instanceof JsonObject object)) {
      throw OpenAiError.invalidType("tool_choice", "one of a string or an object", choice);
    }
    if (!"function".equals(object.getValue("type"))) {
      return null;
    }
    if (!(object.getValue("name") instanceof String name)) {
      throw OpenAiError.missingParameter("tool_choice.name");
    }
    JsonObject named = function(tools, name);
    if (named != null) {
      return named;
    }
    throw OpenAiError.invalidRequest("Tool choice '" + name + "' not found in 'tools' parameter.", "tool_choice",
        null);
  }
}
