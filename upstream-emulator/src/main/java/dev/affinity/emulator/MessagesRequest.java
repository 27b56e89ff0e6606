package dev.affinity.emulator;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Set;

/**
 * A validated {@code POST /v1/messages} (or {@code count_tokens}) body: the fields the emulator acts on plus the
 * prompt laid out for the cache. A top-level field the API does not take is refused ({@link #PARAMETERS}), as is a
 * {@code metadata} member other than {@code user_id}, as the real API refuses them; the fields the emulator does not
 * act on are accepted and ignored.
 *
 * @param forcedTool     the tool the answer must call ({@code tool_choice} {@code any} or {@code tool}), or null
 * @param thinkingBudget the most tokens the answer may think for ({@code thinking.budget_tokens}; no bound for
 *                       {@code adaptive}), 0 when extended thinking is off
 * @param directedTool   the tool call a test's directive asks of this turn ({@link ToolDirective}), or null
 */
record MessagesRequest(String model, int maxTokens, boolean stream, JsonObject forcedTool, int thinkingBudget,
                       PromptLayout layout, ToolDirective directedTool) {

  private static final String THINKING_DOCS = " Please consult our documentation at"
      + " https://docs.claude.com/en/docs/build-with-claude/extended-thinking#feature-compatibility";

  /**
   * What the Messages API takes at the top level: its documented parameters (a request-level {@code cache_control}
   * among them) and those of the betas clients send (Claude Code's {@code context_management} and
   * {@code output_config}); {@code anthropic_version} for the Vertex AI route, which answers through here.
   */
  static final Set<String> PARAMETERS = Set.of("model", "messages", "max_tokens", "system", "metadata", "stream",
      "stop_sequences", "temperature", "top_p", "top_k", "tools", "tool_choice", "thinking", "service_tier",
      "container", "mcp_servers", "context_management", "output_config", "output_format", "cache_control",
      "anthropic_version");

  /** Validates a Messages API body: a top-level field the API does not take is refused, as the API refuses it. */
  static MessagesRequest parse(Buffer body) {
    JsonObject json = jsonObject(body);
    for (String field : json.fieldNames()) {
      if (!PARAMETERS.contains(field)) {
        throw ApiError.invalidRequest(field + ": Extra inputs are not permitted");
      }
    }
    return parse(json);
  }

  /** Validates a Messages API body already parsed (Bedrock's, once its own checks passed and the model is known). */
  static MessagesRequest parse(JsonObject json) {
    String model = model(json);
    int maxTokens = maxTokens(json);
    messages(json);
    metadata(json);
    Object stream = json.getValue("stream");
    if (stream != null && !(stream instanceof Boolean)) {
      throw ApiError.invalidRequest("stream: Input should be a valid boolean");
    }
    int thinkingBudget = thinkingBudget(json);
    JsonObject forcedTool = forcedTool(json);
    if (thinkingBudget > 0) {
      compatibleWithThinking(json, forcedTool);
      toolTurnStartsWithThinking(json.getJsonArray("messages"));
    }
    signedThinking(json.getJsonArray("messages"));
    PromptLayout layout = PromptLayout.of(model, json);
    ToolDirective directed = forcedTool != null ? null
        : ToolDirective.next(json.getJsonArray("messages"), name -> offers(json, name));
    return new MessagesRequest(model, maxTokens, Boolean.TRUE.equals(stream), forcedTool, thinkingBudget, layout,
        directed);
  }

  /**
   * Anthropic's {@code metadata} holds a {@code user_id} (a string of at most 256 characters) and nothing else: any
   * other member is refused as the API refuses it (a gateway's own metadata, LiteLLM's {@code tags} say, must not
   * reach it).
   */
  private static void metadata(JsonObject json) {
    Object metadata = json.getValue("metadata");
    if (metadata == null) {
      return;
    }
    if (!(metadata instanceof JsonObject members)) {
      throw ApiError.invalidRequest("metadata: Input should be a valid dictionary or object to extract fields from");
    }
    for (String name : members.fieldNames()) {
      if (!name.equals("user_id")) {
        throw ApiError.invalidRequest("metadata." + name + ": Extra inputs are not permitted");
      }
    }
    Object userId = members.getValue("user_id");
    if (userId != null && !(userId instanceof String)) {
      throw ApiError.invalidRequest("metadata.user_id: Input should be a valid string");
    }
    if (userId instanceof String id && id.length() > 256) {
      throw ApiError.invalidRequest("metadata.user_id: String should have at most 256 characters");
    }
  }

  /** Whether the request's {@code tools} include one named {@code name}. */
  private static boolean offers(JsonObject json, String name) {
    if (json.getValue("tools") instanceof JsonArray tools) {
      for (Object tool : tools) {
        if (tool instanceof JsonObject definition && name.equals(definition.getValue("name"))) {
          return true;
        }
      }
    }
    return false;
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
    return count(json.getValue("max_tokens"), "max_tokens", 1);
  }

  /** A required token count of at least {@code minimum}; {@code where} names it in the error. */
  private static int count(Object value, String where, long minimum) {
    if (value == null) {
      throw ApiError.invalidRequest(where + ": Field required");
    }
    if (!(value instanceof Integer || value instanceof Long)) {
      throw ApiError.invalidRequest(where + ": Input should be a valid integer");
    }
    long count = ((Number) value).longValue();
    if (count < minimum) {
      throw ApiError.invalidRequest(where + ": Input should be greater than or equal to " + minimum);
    }
    return (int) Math.min(count, Integer.MAX_VALUE);
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

  /** {@code thinking}: absent or {@code disabled} (0), {@code enabled} with a budget of 1,024 or more, or adaptive. */
  private static int thinkingBudget(JsonObject json) {
    Object value = json.getValue("thinking");
    if (value == null) {
      return 0;
    }
    if (!(value instanceof JsonObject thinking)) {
      throw ApiError.invalidRequest("thinking: Input should be an object");
    }
    Object type = thinking.getValue("type");
    if ("disabled".equals(type)) {
      return 0;
    }
    if ("adaptive".equals(type)) {
      return Integer.MAX_VALUE;
    }
    if (!"enabled".equals(type)) {
      throw ApiError.invalidRequest("thinking: Input tag '" + type + "' found using 'type' does not match any of the"
          + " expected tags: 'adaptive', 'disabled', 'enabled'");
    }
    return count(thinking.getValue("budget_tokens"), "thinking.enabled.budget_tokens", 1024);
  }

  /** What extended thinking cannot be combined with: forced tool use, a temperature other than 1, {@code top_k}. */
  private static void compatibleWithThinking(JsonObject json, JsonObject forcedTool) {
    if (forcedTool != null) {
      throw ApiError.invalidRequest("Thinking may not be enabled when tool_choice forces tool use.");
    }
    if (json.getValue("temperature") instanceof Number temperature && temperature.doubleValue() != 1.0) {
      throw ApiError.invalidRequest("`temperature` may only be set to 1 when thinking is enabled." + THINKING_DOCS);
    }
    if (json.getValue("top_k") != null) {
      throw ApiError.invalidRequest("`top_k` must be unset when thinking is enabled." + THINKING_DOCS);
    }
  }

  /**
   * While thinking, tool results go back after the thinking of the turn that called the tools: when the request ends
   * with tool results, the assistant message before them must start with its thinking, as Anthropic requires.
   */
  private static void toolTurnStartsWithThinking(JsonArray messages) {
    int last = messages.size() - 1;
    if (last < 1 || !(messages.getValue(last) instanceof JsonObject user) || !"user".equals(user.getValue("role"))
        || !hasBlock(user, "tool_result") || !(messages.getValue(last - 1) instanceof JsonObject calling)
        || !"assistant".equals(calling.getValue("role")) || !hasBlock(calling, "tool_use")) {
      return;
    }
    JsonArray blocks = (JsonArray) calling.getValue("content");
    Object first = blocks.getValue(0) instanceof JsonObject block ? block.getValue("type") : null;
    if (!"thinking".equals(first) && !"redacted_thinking".equals(first)) {
      throw ApiError.invalidRequest("messages." + (last - 1) + ".content.0.type: Expected `thinking` or"
          + " `redacted_thinking`, but found `" + first + "`. When `thinking` is enabled, a final `assistant` message"
          + " must start with a thinking block (preceeding the lastmost set of `tool_use` and `tool_result` blocks)."
          + " We recommend you include thinking blocks from previous turns. To avoid this requirement, disable"
          + " `thinking`. Please consult our documentation at"
          + " https://docs.claude.com/en/docs/build-with-claude/extended-thinking");
    }
  }

  private static boolean hasBlock(JsonObject message, String type) {
    if (message.getValue("content") instanceof JsonArray blocks) {
      for (Object block : blocks) {
        if (block instanceof JsonObject object && type.equals(object.getValue("type"))) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Thinking handed back must be thinking the model wrote: a {@code thinking} block needs the {@code signature} that
   * came with it, a {@code redacted_thinking} block its {@code data}.
   */
  private static void signedThinking(JsonArray messages) {
    for (int m = 0; m < messages.size(); m++) {
      if (!(messages.getValue(m) instanceof JsonObject message)
          || !(message.getValue("content") instanceof JsonArray blocks)) {
        continue; // PromptLayout names what is wrong with it
      }
      for (int b = 0; b < blocks.size(); b++) {
        if (!(blocks.getValue(b) instanceof JsonObject block)) {
          continue;
        }
        String where = "messages." + m + ".content." + b;
        Object type = block.getValue("type");
        if ("thinking".equals(type)) {
          if (!(block.getValue("thinking") instanceof String thinking)) {
            throw ApiError.invalidRequest(where + ".thinking.thinking: Field required");
          }
          if (!(block.getValue("signature") instanceof String signature)) {
            throw ApiError.invalidRequest(where + ".thinking.signature: Field required");
          }
          if (!ThinkingSignature.valid(thinking, signature)) {
            throw ApiError.invalidRequest(where + ": Invalid `signature` in `thinking` block");
          }
        } else if ("redacted_thinking".equals(type) && !(block.getValue("data") instanceof String)) {
          throw ApiError.invalidRequest(where + ".redacted_thinking.data: Field required");
        }
      }
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
