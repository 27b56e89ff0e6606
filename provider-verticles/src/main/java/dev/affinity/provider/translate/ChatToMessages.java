package dev.affinity.provider.translate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * Translates an OpenAI Chat Completions request into an Anthropic Messages request, for aliases served by Claude.
 *
 * <p>The translation is a pure function of the request: it neither reads configuration nor changes its input, and
 * anything that has no faithful Anthropic form is refused with a {@link TranslationException} rather than silently
 * changing what the client asked for. Fields that only tune OpenAI's own service (caching keys, storage, sampling
 * hints Claude lacks) are dropped; {@code docs/translation.md} lists every field.
 *
 * <p>{@code cache_control} markers survive: on a content part they stay on the block the part becomes, on a message
 * they go to the message's last block, so an OpenAI-speaking client can still place Anthropic cache breakpoints.
 */
public final class ChatToMessages {

  /** {@code max_tokens} is required by Anthropic and optional in OpenAI: this is used when the client sets none. */
  public static final int DEFAULT_MAX_TOKENS = 4096;

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  /** The tool Claude answers through when the client asked for JSON (LiteLLM's name for it). */
  public static final String JSON_TOOL = "json_tool_call";
  private static final ObjectReader ARGUMENTS = new ObjectMapper().reader()
      .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** Fields whose meaning Claude cannot honour: answering as if they had been would mislead the client. */
  private static final List<String> REFUSED = List.of("functions", "function_call", "audio", "top_logprobs",
      "web_search_options");

  private ChatToMessages() {
  }

  /**
   * @param chat an OpenAI {@code /v1/chat/completions} body
   * @return the equivalent {@code /v1/messages} body; {@code model} is carried over unchanged
   * @throws TranslationException when the request cannot be expressed for Claude
   */
  public static ObjectNode request(JsonNode chat) {
    if (chat == null || !chat.isObject()) {
      throw new TranslationException("The request body must be a JSON object.", null);
    }
    refuseUnsupported(chat);

    ObjectNode out = NODES.objectNode();
    if (chat.has("model")) {
      out.set("model", chat.get("model").deepCopy());
    }
    JsonNode thinking = thinking(chat);
    ArrayNode system = NODES.arrayNode();
    Turns turns = new Turns();
    translateMessages(chat.get("messages"), system, turns);
    if (thinking != null && continuesToolCallsWithoutThinking(turns.messages())) {
      // Claude refuses to think on a tool call's results when the turn that called it does not start with its
      // thinking; OpenAI clients seldom hand thinking back (LiteLLM's thinking_blocks), so this request goes without
      // thinking rather than failing, as LiteLLM's modify_params does
      thinking = null;
    }
    out.put("max_tokens", maxTokens(chat, thinking));
    if (!system.isEmpty()) {
      out.set("system", system);
    }
    out.set("messages", turns.messages());

    if (chat.hasNonNull("tools") && !chat.get("tools").isEmpty()) {
      out.set("tools", tools(chat.get("tools")));
    }
    ObjectNode toolChoice = toolChoice(chat, out.has("tools"));
    if (toolChoice != null) {
      out.set("tool_choice", toolChoice);
    }
    if (answersInJson(chat)) {
      answerThroughJsonTool(chat, out, thinking != null && !thinking.path("type").asText().equals("disabled"));
    }
    ArrayNode stops = stopSequences(chat.get("stop"));
    if (stops != null && !stops.isEmpty()) {
      out.set("stop_sequences", stops);
    }
    copyNumber(chat, "temperature", out);
    copyNumber(chat, "top_p", out);
    copyNumber(chat, "top_k", out);
    String user = chat.hasNonNull("user") ? chat.get("user").asText() : chat.path("safety_identifier").asText("");
    if (!user.isEmpty()) {
      out.putObject("metadata").put("user_id", user);
    }
    if (chat.hasNonNull("stream")) {
      out.put("stream", chat.get("stream").asBoolean());
    }
    if (thinking != null) {
      out.set("thinking", thinking);
    }
    // an Anthropic-native field LiteLLM also accepts on its OpenAI route: same name, same meaning
    if (chat.hasNonNull("cache_control")) {
      out.set("cache_control", chat.get("cache_control").deepCopy());
    }
    return out;
  }

  /**
   * Extended thinking: Anthropic's own {@code thinking} when the client sent it (LiteLLM accepts it on its OpenAI
   * route), else {@code reasoning_effort} as LiteLLM maps it for Claude: {@code minimal} and {@code low} 1,024
   * tokens, {@code medium} 2,048, {@code high} 4,096, {@code max} 16,384; {@code none} is no thinking.
   *
   * @return the {@code thinking} object to send, or null for none
   */
  private static JsonNode thinking(JsonNode chat) {
    if (chat.hasNonNull("thinking")) {
      return chat.get("thinking").deepCopy();
    }
    JsonNode effort = chat.get("reasoning_effort");
    if (effort == null || effort.isNull()) {
      return null;
    }
    int budget = switch (effort.asText()) {
      case "none" -> 0;
      case "minimal", "low" -> 1024;
      case "medium" -> 2048;
      case "high" -> 4096;
      case "max" -> 16384;
      default -> throw new TranslationException("Invalid value for 'reasoning_effort': '" + effort.asText()
          + "'. Claude models take 'none', 'minimal', 'low', 'medium', 'high' or 'max'.", "reasoning_effort");
    };
    return budget == 0 ? null : NODES.objectNode().put("type", "enabled").put("budget_tokens", budget);
  }

  /**
   * Whether {@code messages} end with tool results whose calling turn does not start with a thinking block: what
   * Claude refuses while thinking ("a final assistant message must start with a thinking block").
   */
  static boolean continuesToolCallsWithoutThinking(ArrayNode messages) {
    int last = messages.size() - 1;
    if (last < 1 || !"user".equals(messages.get(last).path("role").asText())
        || !hasBlock(messages.get(last), "tool_result") || !"assistant".equals(messages.get(last - 1)
        .path("role").asText())) {
      return false;
    }
    JsonNode calling = messages.get(last - 1);
    String first = calling.path("content").path(0).path("type").asText("");
    return hasBlock(calling, "tool_use") && !first.equals("thinking") && !first.equals("redacted_thinking");
  }

  private static boolean hasBlock(JsonNode message, String type) {
    for (JsonNode block : message.path("content")) {
      if (type.equals(block.path("type").asText())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the client asked for its answer as JSON ({@code response_format} {@code json_schema} or
   * {@code json_object}): the answer is then the input of {@link #JSON_TOOL}, which Claude is made to call.
   */
  private static boolean answersInJson(JsonNode chat) {
    String format = chat == null ? "" : chat.path("response_format").path("type").asText("");
    return format.equals("json_schema") || format.equals("json_object");
  }

  /**
   * JSON mode as LiteLLM gives it to Claude, and as Anthropic's own guide does it: one more tool whose input schema is
   * the answer's, and {@code tool_choice} forcing it; while thinking, offered but not forced (Claude refuses a forced
   * tool while thinking). Refused where it would change what else the client asked for: a tool choice that requires
   * a tool, a schema that is not an object's (a tool's input is an object). The tool's name is reserved
   * ({@link #tools}), so that the answer's side knows JSON mode from the Messages request alone
   * ({@link #answersThroughJsonTool}).
   */
  private static void answerThroughJsonTool(JsonNode chat, ObjectNode out, boolean thinking) {
    JsonNode format = chat.get("response_format");
    JsonNode jsonSchema = format.get("json_schema");
    if (jsonSchema != null && !jsonSchema.isNull() && !jsonSchema.isObject()) {
      throw new TranslationException("Invalid type for 'response_format.json_schema': expected an object.",
          "response_format.json_schema");
    }
    JsonNode schema = format.path("json_schema").get("schema");
    if (schema != null && !schema.isNull() && (!schema.isObject()
        || schema.has("type") && !schema.get("type").asText().equals("object"))) {
      throw new TranslationException("Claude models answer in JSON through a tool, whose input is an object: "
          + "'response_format.json_schema.schema' must describe an object.", "response_format");
    }
    String choice = out.path("tool_choice").path("type").asText("auto");
    if (!choice.equals("auto") && !choice.equals("none")) {
      throw new TranslationException("'response_format' of type '" + format.path("type").asText() + "' cannot be "
          + "combined with a 'tool_choice' that requires a tool: Claude models answer in JSON by calling a tool.",
          "response_format");
    }
    ArrayNode tools = out.has("tools") ? (ArrayNode) out.get("tools") : out.putArray("tools");
    ObjectNode tool = tools.addObject().put("name", JSON_TOOL)
        .put("description", "Respond with your answer as this tool's input.");
    if (schema != null && schema.isObject()) {
      tool.set("input_schema", schema.deepCopy());
    } else {
      tool.putObject("input_schema").put("type", "object").put("additionalProperties", true).putObject("properties");
    }
    if (!thinking) {
      out.putObject("tool_choice").put("type", "tool").put("name", JSON_TOOL);
    }
  }

  /** Whether a Messages request made from a Chat request offers {@link #JSON_TOOL}: the client asked for JSON. */
  public static boolean answersThroughJsonTool(JsonNode messages) {
    for (JsonNode tool : messages == null ? NODES.arrayNode() : messages.path("tools")) {
      if (tool.path("name").asText().equals(JSON_TOOL)) {
        return true;
      }
    }
    return false;
  }

  private static void refuseUnsupported(JsonNode chat) {
    if (chat.path("n").asInt(1) != 1) {
      throw new TranslationException("Claude models return one choice: 'n' must be 1.", "n");
    }
    if (chat.path("logprobs").asBoolean(false)) {
      throw new TranslationException("'logprobs' is not supported for this model.", "logprobs");
    }
    JsonNode responseFormat = chat.get("response_format");
    if (responseFormat != null && !responseFormat.isNull() && !responseFormat.isObject()) {
      throw new TranslationException("Invalid type for 'response_format': expected an object.", "response_format");
    }
    String format = chat.path("response_format").path("type").asText("text");
    if (!format.equals("text") && !answersInJson(chat)) {
      throw new TranslationException("'response_format' of type '" + format + "' is not supported for this model.",
          "response_format");
    }
    for (JsonNode modality : chat.path("modalities")) {
      if (!modality.asText().equals("text")) {
        throw new TranslationException("Output modality '" + modality.asText() + "' is not supported for this model.",
            "modalities");
      }
    }
    for (String field : REFUSED) {
      if (chat.hasNonNull(field)) {
        throw new TranslationException("'" + field + "' is not supported for this model.", field);
      }
    }
  }

  /**
   * The client's {@code max_completion_tokens}, else {@code max_tokens}, else {@link #DEFAULT_MAX_TOKENS}, to which
   * a thinking budget is added (Claude's {@code max_tokens} bounds thinking and answer together, and must exceed the
   * budget), as LiteLLM does.
   */
  private static int maxTokens(JsonNode chat, JsonNode thinking) {
    String field = chat.hasNonNull("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
    JsonNode value = chat.get(field);
    if (value == null || value.isNull()) {
      JsonNode budget = thinking == null ? null : thinking.get("budget_tokens");
      // an absurd budget is Claude's to refuse, not this sum's to overflow
      return budget != null && budget.canConvertToInt() && budget.intValue() > 0
          ? (int) Math.min(Integer.MAX_VALUE, (long) DEFAULT_MAX_TOKENS + budget.intValue()) : DEFAULT_MAX_TOKENS;
    }
    if (!value.canConvertToInt() || !value.isIntegralNumber() || value.intValue() < 1) {
      throw new TranslationException("Invalid '" + field + "': expected an integer of at least 1.", field);
    }
    return value.intValue();
  }

  private static void translateMessages(JsonNode messages, ArrayNode system, Turns turns) {
    if (messages == null || !messages.isArray() || messages.isEmpty()) {
      throw new TranslationException("'messages' must be a non-empty array.", "messages");
    }
    for (int i = 0; i < messages.size(); i++) {
      JsonNode message = messages.get(i);
      String where = "messages.[" + i + "]";
      String role = message.path("role").asText("");
      switch (role) {
        case "system", "developer" -> system.addAll(
            withMessageCacheControl(message, ContentBlocks.of(message.get("content"), ContentBlocks.Allowed.TEXT_ONLY,
                where + ".content")));
        case "user" -> turns.add("user",
            withMessageCacheControl(message, ContentBlocks.of(message.get("content"), ContentBlocks.Allowed.USER,
                where + ".content")));
        case "assistant" -> turns.add("assistant", withMessageCacheControl(message, assistant(message, where)));
        case "tool" -> turns.add("user", List.of(toolResult(message, where)));
        default -> throw new TranslationException("Invalid value for 'role': '" + role + "' is not supported for "
            + "this model.", where + ".role");
      }
    }
    if (turns.isEmpty()) {
      throw new TranslationException("'messages' must hold at least one user or assistant message with content.",
          "messages");
    }
  }

  private static List<ObjectNode> withMessageCacheControl(JsonNode message, List<ObjectNode> blocks) {
    ContentBlocks.applyMessageCacheControl(message, blocks);
    return blocks;
  }

  /**
   * Thinking blocks first (Claude refuses a thinking turn that does not start with them), then text, then one
   * {@code tool_use} per call. {@code thinking_blocks} is LiteLLM's field for handing Claude's signed thinking back.
   */
  private static List<ObjectNode> assistant(JsonNode message, String where) {
    List<ObjectNode> blocks = new ArrayList<>();
    for (JsonNode thinking : message.path("thinking_blocks")) {
      if (thinking.isObject()) {
        blocks.add(((ObjectNode) thinking).deepCopy());
      }
    }
    blocks.addAll(ContentBlocks.of(message.get("content"), ContentBlocks.Allowed.ASSISTANT, where + ".content"));
    JsonNode calls = message.path("tool_calls");
    for (int i = 0; i < calls.size(); i++) {
      blocks.add(toolUse(calls.get(i), where + ".tool_calls.[" + i + "]"));
    }
    return blocks;
  }

  private static ObjectNode toolUse(JsonNode call, String where) {
    if (!call.path("type").asText("function").equals("function")) {
      throw new TranslationException("Unsupported tool call type '" + call.path("type").asText() + "'.",
          where + ".type");
    }
    String id = required(call, "id", where);
    JsonNode function = call.path("function");
    String name = required(function, "name", where + ".function");
    ObjectNode block = NODES.objectNode().put("type", "tool_use").put("id", id).put("name", name);
    block.set("input", arguments(function.path("arguments").asText(""), where + ".function.arguments"));
    ContentBlocks.copyCacheControl(call, block);
    return block;
  }

  /** OpenAI carries arguments as a JSON string, Anthropic as the object itself; an empty string means no arguments. */
  private static JsonNode arguments(String arguments, String param) {
    if (arguments.isBlank()) {
      return NODES.objectNode();
    }
    JsonNode input;
    try {
      input = ARGUMENTS.readTree(arguments);
    } catch (JsonProcessingException e) {
      throw new TranslationException("Invalid tool call arguments: not valid JSON.", param);
    }
    if (!input.isObject()) {
      throw new TranslationException("Invalid tool call arguments: expected a JSON object.", param);
    }
    return input;
  }

  private static ObjectNode toolResult(JsonNode message, String where) {
    ObjectNode block = NODES.objectNode()
        .put("type", "tool_result")
        .put("tool_use_id", required(message, "tool_call_id", where));
    JsonNode content = message.get("content");
    if (content != null && content.isTextual()) {
      if (!content.textValue().isEmpty()) {
        block.put("content", content.textValue());
      }
    } else {
      List<ObjectNode> parts = ContentBlocks.of(content, ContentBlocks.Allowed.USER, where + ".content");
      if (!parts.isEmpty()) {
        block.putArray("content").addAll(parts);
      }
    }
    ContentBlocks.copyCacheControl(message, block);
    return block;
  }

  private static ArrayNode tools(JsonNode tools) {
    if (!tools.isArray()) {
      throw new TranslationException("'tools' must be an array.", "tools");
    }
    ArrayNode out = NODES.arrayNode(tools.size());
    for (int i = 0; i < tools.size(); i++) {
      JsonNode tool = tools.get(i);
      String where = "tools.[" + i + "]";
      String type = tool.path("type").asText("function");
      if (!type.equals("function")) {
        throw new TranslationException("Unsupported tool type '" + type + "' for this model.", where + ".type");
      }
      JsonNode function = tool.path("function");
      String name = required(function, "name", where + ".function");
      if (name.equals(JSON_TOOL)) {
        throw new TranslationException("The tool name '" + JSON_TOOL + "' is reserved: the gateway gives Claude a "
            + "JSON 'response_format' as a tool of that name.", where + ".function.name");
      }
      ObjectNode translated = out.addObject().put("name", name);
      if (function.hasNonNull("description")) {
        translated.put("description", function.get("description").asText());
      }
      JsonNode parameters = function.get("parameters");
      if (parameters != null && parameters.isObject()) {
        translated.set("input_schema", parameters.deepCopy());
      } else {
        // OpenAI allows a function without parameters; Anthropic always wants a schema
        translated.putObject("input_schema").put("type", "object").putObject("properties");
      }
      ContentBlocks.copyCacheControl(function, translated);
      ContentBlocks.copyCacheControl(tool, translated);
    }
    return out;
  }

  private static ObjectNode toolChoice(JsonNode chat, boolean hasTools) {
    JsonNode choice = chat.get("tool_choice");
    boolean serial = chat.hasNonNull("parallel_tool_calls") && !chat.get("parallel_tool_calls").asBoolean(true);
    if (choice == null || choice.isNull()) {
      return serial && hasTools ? NODES.objectNode().put("type", "auto").put("disable_parallel_tool_use", true) : null;
    }
    if (!hasTools) {
      throw new TranslationException("Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' "
          + "are specified.", "tool_choice");
    }
    ObjectNode out = NODES.objectNode();
    if (choice.isTextual()) {
      switch (choice.textValue()) {
        case "auto" -> out.put("type", "auto");
        case "required" -> out.put("type", "any");
        // "none" takes no other field
        case "none" -> {
          return out.put("type", "none");
        }
        default -> throw new TranslationException("Invalid value for 'tool_choice': '" + choice.textValue() + "'.",
            "tool_choice");
      }
    } else if (choice.path("type").asText().equals("function")) {
      out.put("type", "tool").put("name", required(choice.path("function"), "name", "tool_choice.function"));
    } else {
      throw new TranslationException("Unsupported 'tool_choice' for this model: expected 'auto', 'required', 'none' "
          + "or a named function.", "tool_choice");
    }
    if (serial) {
      out.put("disable_parallel_tool_use", true);
    }
    return out;
  }

  /**
   * Anthropic refuses whitespace-only stop sequences, which OpenAI clients send routinely ({@code "\n"}); they are
   * dropped rather than failing the request.
   */
  private static ArrayNode stopSequences(JsonNode stop) {
    if (stop == null || stop.isNull()) {
      return null;
    }
    ArrayNode out = NODES.arrayNode();
    if (stop.isTextual()) {
      addStop(out, stop.textValue());
    } else if (stop.isArray()) {
      for (JsonNode sequence : stop) {
        if (!sequence.isTextual()) {
          throw new TranslationException("Invalid 'stop': expected a string or an array of strings.", "stop");
        }
        addStop(out, sequence.textValue());
      }
    } else {
      throw new TranslationException("Invalid 'stop': expected a string or an array of strings.", "stop");
    }
    return out;
  }

  private static void addStop(ArrayNode out, String sequence) {
    if (!sequence.isBlank()) {
      out.add(sequence);
    }
  }

  private static void copyNumber(JsonNode chat, String field, ObjectNode out) {
    JsonNode value = chat.get(field);
    if (value == null || value.isNull()) {
      return;
    }
    if (!value.isNumber()) {
      throw new TranslationException("Invalid '" + field + "': expected a number.", field);
    }
    out.set(field, value);
  }

  private static String required(JsonNode object, String field, String where) {
    JsonNode value = object.get(field);
    if (value == null || !value.isTextual() || value.textValue().isEmpty()) {
      throw new TranslationException("Missing required parameter: '" + where + "." + field + "'.",
          where + "." + field);
    }
    return value.textValue();
  }
}
