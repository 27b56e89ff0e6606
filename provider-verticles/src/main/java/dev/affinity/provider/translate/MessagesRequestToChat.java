package dev.affinity.provider.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Translates an Anthropic Messages request into an OpenAI Chat Completions request, for an Anthropic client (Claude
 * Code, say) on an alias served by OpenAI-compatible deployments (OpenAI, Azure, vLLM and the other servers of
 * {@code docs/openai.md}), as LiteLLM's {@code /v1/messages} does for them.
 *
 * <p>A pure function of the request, like {@link ChatToMessages} the other way. What has a Chat form maps across;
 * Anthropic's cache markers, thinking settings and hints only Claude reads are dropped (these servers cache prompts
 * without markers); what would change the conversation if dropped (a server tool, a content block these APIs do not
 * know) is refused with a {@link TranslationException}. {@code docs/translation.md} lists every field.
 *
 * <p>The same conversation maps to the same Chat messages turn after turn, so the automatic prefix chain sees a
 * stable prefix: a user turn of one text block becomes a string, as does the same turn re-sent as a string.
 */
public final class MessagesRequestToChat {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private MessagesRequestToChat() {
  }

  /**
   * @param messages an Anthropic {@code /v1/messages} body, checked by the ingress (model, max_tokens, messages)
   * @return the equivalent {@code /v1/chat/completions} body; {@code model} is carried over unchanged
   * @throws TranslationException when the request cannot be expressed in Chat Completions
   */
  public static ObjectNode request(JsonNode messages) {
    if (messages == null || !messages.isObject()) {
      throw new TranslationException("The request body must be a JSON object.", null);
    }
    ObjectNode out = NODES.objectNode();
    if (messages.has("model")) {
      out.set("model", messages.get("model").deepCopy());
    }
    ArrayNode turns = out.putArray("messages");
    String system = system(messages.get("system"), "system");
    if (!system.isEmpty()) {
      turns.addObject().put("role", "system").put("content", system);
    }
    JsonNode given = messages.path("messages");
    if (!given.isArray()) {
      throw new TranslationException("messages: Input should be a valid list.", "messages");
    }
    for (int i = 0; i < given.size(); i++) {
      turn(given.get(i), "messages." + i, turns);
    }
    if (messages.hasNonNull("max_tokens")) {
      out.set("max_tokens", messages.get("max_tokens").deepCopy());
    }
    JsonNode tools = messages.get("tools");
    if (tools != null && tools.isArray() && !tools.isEmpty()) {
      out.set("tools", tools(tools));
      toolChoice(messages.get("tool_choice"), out);
    }
    JsonNode stops = messages.get("stop_sequences");
    if (stops != null && stops.isArray() && !stops.isEmpty()) {
      out.set("stop", stops.deepCopy());
    }
    for (String sampling : new String[] {"temperature", "top_p"}) {
      if (messages.path(sampling).isNumber()) {
        out.set(sampling, messages.get(sampling).deepCopy());
      }
    }
    String user = messages.path("metadata").path("user_id").asText("");
    if (!user.isEmpty()) {
      out.put("user", user);
    }
    if (messages.path("stream").asBoolean(false)) {
      // the usage comes in a last chunk only when asked for: the Anthropic stream's message_delta needs it
      out.put("stream", true).putObject("stream_options").put("include_usage", true);
    }
    return out;
  }

  /** A system prompt as one string: its text blocks joined by blank lines, markers left behind. */
  private static String system(JsonNode system, String where) {
    return joinedText(system, where, "only text blocks can be sent to this model.", "");
  }

  /**
   * A string, or text blocks joined by blank lines; a block of another type is refused with {@code refusal}, naming
   * the block ({@code where.i}) followed by {@code blockParamSuffix}.
   */
  private static String joinedText(JsonNode content, String where, String refusal, String blockParamSuffix) {
    if (content == null || content.isNull()) {
      return "";
    }
    if (content.isTextual()) {
      return content.asText();
    }
    if (!content.isArray()) {
      throw new TranslationException(where + ": Input should be a valid string or a list of text blocks.", where);
    }
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < content.size(); i++) {
      JsonNode block = content.get(i);
      if (!block.path("type").asText().equals("text")) {
        throw new TranslationException(where + "." + i + ": " + refusal, where + "." + i + blockParamSuffix);
      }
      if (text.length() > 0) {
        text.append("\n\n");
      }
      text.append(block.path("text").asText());
    }
    return text.toString();
  }

  private static void turn(JsonNode message, String where, ArrayNode turns) {
    String role = message.path("role").asText();
    JsonNode content = message.get("content");
    if (role.equals("system")) {
      // Claude Code puts system messages among the turns (an IDE's notice, say): Chat has them too, in place
      turns.addObject().put("role", "system").put("content", system(content, where + ".content"));
      return;
    }
    if (!role.equals("user") && !role.equals("assistant")) {
      throw new TranslationException(where + ".role: expected 'user', 'assistant' or 'system'.", where + ".role");
    }
    if (content == null || content.isTextual()) {
      turns.addObject().put("role", role).put("content", content == null ? "" : content.asText());
      return;
    }
    if (!content.isArray()) {
      throw new TranslationException(where + ".content: Input should be a valid string or a list of blocks.",
          where + ".content");
    }
    if (role.equals("assistant")) {
      assistant(content, where, turns);
    } else {
      user(content, where, turns);
    }
  }

  /**
   * Tool results first, each a {@code tool} message (Chat wants them right after the assistant's calls, Anthropic
   * puts them first in the user's turn), then the user's other blocks as one user message.
   */
  private static void user(JsonNode content, String where, ArrayNode turns) {
    ArrayNode parts = NODES.arrayNode();
    for (int i = 0; i < content.size(); i++) {
      JsonNode block = content.get(i);
      String at = where + ".content." + i;
      switch (block.path("type").asText()) {
        case "tool_result" -> turns.addObject().put("role", "tool")
            .put("tool_call_id", block.path("tool_use_id").asText())
            .put("content", toolResult(block.get("content"), at));
        case "text" -> parts.addObject().put("type", "text").put("text", block.path("text").asText());
        case "image" -> parts.add(image(block.path("source"), at));
        case "document" -> parts.add(document(block, at));
        default -> throw new TranslationException(at + ": a '" + block.path("type").asText()
            + "' block cannot be sent to this model.", at + ".type");
      }
    }
    if (parts.isEmpty()) {
      return;
    }
    ObjectNode user = turns.addObject().put("role", "user");
    if (parts.size() == 1 && parts.get(0).path("type").asText().equals("text")) {
      user.put("content", parts.get(0).path("text").asText());
    } else {
      user.set("content", parts);
    }
  }

  /** A tool result's content as the tool message's text: a string, or its text blocks joined. */
  private static String toolResult(JsonNode content, String where) {
    return joinedText(content, where + ".content", "only text can be returned from a tool to this model.", ".type");
  }

  private static ObjectNode image(JsonNode source, String where) {
    String url = switch (source.path("type").asText()) {
      case "base64" -> "data:" + source.path("media_type").asText() + ";base64," + source.path("data").asText();
      case "url" -> source.path("url").asText();
      default -> throw new TranslationException(where + ".source: an image must be base64 data or a URL for this"
          + " model.", where + ".source.type");
    };
    ObjectNode part = NODES.objectNode().put("type", "image_url");
    part.putObject("image_url").put("url", url);
    return part;
  }

  private static ObjectNode document(JsonNode block, String where) {
    JsonNode source = block.path("source");
    if (!source.path("type").asText().equals("base64")
        || !source.path("media_type").asText().equals("application/pdf")) {
      throw new TranslationException(where + ".source: only a base64 PDF document can be sent to this model.",
          where + ".source");
    }
    ObjectNode part = NODES.objectNode().put("type", "file");
    ObjectNode file = part.putObject("file").put("file_data", "data:application/pdf;base64,"
        + source.path("data").asText());
    if (block.hasNonNull("title")) {
      file.put("filename", block.get("title").asText());
    }
    return part;
  }

  /**
   * Text joined into {@code content}, each {@code tool_use} a tool call; thinking is left behind (its signature means
   * nothing to these servers).
   */
  private static void assistant(JsonNode content, String where, ArrayNode turns) {
    StringBuilder text = new StringBuilder();
    ArrayNode calls = NODES.arrayNode();
    for (int i = 0; i < content.size(); i++) {
      JsonNode block = content.get(i);
      switch (block.path("type").asText()) {
        case "text" -> text.append(block.path("text").asText());
        case "tool_use" -> {
          ObjectNode call = calls.addObject().put("id", block.path("id").asText()).put("type", "function");
          call.putObject("function").put("name", block.path("name").asText())
              .put("arguments", block.path("input").isObject() ? block.get("input").toString() : "{}");
        }
        case "thinking", "redacted_thinking" -> { }
        default -> throw new TranslationException(where + ".content." + i + ": a '" + block.path("type").asText()
            + "' block cannot be sent to this model.", where + ".content." + i + ".type");
      }
    }
    ObjectNode assistant = turns.addObject().put("role", "assistant");
    if (text.length() > 0 || calls.isEmpty()) {
      assistant.put("content", text.toString());
    } else {
      assistant.putNull("content");
    }
    if (!calls.isEmpty()) {
      assistant.set("tool_calls", calls);
    }
  }

  /** Anthropic's custom tools as functions; server tools (a {@code type} other than {@code custom}) are refused. */
  private static ArrayNode tools(JsonNode tools) {
    ArrayNode out = NODES.arrayNode();
    for (int i = 0; i < tools.size(); i++) {
      JsonNode tool = tools.get(i);
      String type = tool.path("type").asText("custom");
      if (!type.equals("custom")) {
        throw new TranslationException("tools." + i + ": the server tool '" + type + "' is Claude's; this model"
            + " takes only custom tools.", "tools." + i + ".type");
      }
      ObjectNode function = out.addObject().put("type", "function").putObject("function")
          .put("name", tool.path("name").asText());
      if (tool.hasNonNull("description")) {
        function.put("description", tool.get("description").asText());
      }
      JsonNode schema = tool.get("input_schema");
      if (schema != null && schema.isObject()) {
        function.set("parameters", schema.deepCopy());
      }
    }
    return out;
  }

  private static void toolChoice(JsonNode choice, ObjectNode out) {
    if (choice == null || !choice.isObject()) {
      return;
    }
    switch (choice.path("type").asText()) {
      case "auto" -> out.put("tool_choice", "auto");
      case "any" -> out.put("tool_choice", "required");
      case "none" -> out.put("tool_choice", "none");
      case "tool" -> out.putObject("tool_choice").put("type", "function").putObject("function")
          .put("name", choice.path("name").asText());
      default -> throw new TranslationException("tool_choice.type: expected 'auto', 'any', 'tool' or 'none'.",
          "tool_choice.type");
    }
    if (choice.path("disable_parallel_tool_use").asBoolean(false)) {
      out.put("parallel_tool_calls", false);
    }
  }
}
