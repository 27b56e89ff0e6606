package dev.affinity.provider.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Set;

/**
 * A Responses API request as the Chat Completions request it means, as LiteLLM bridges the Responses API to providers
 * that do not serve it: {@code instructions} a first system message, the input items messages (function calls an
 * assistant's {@code tool_calls}, their outputs {@code tool} messages), function tools Chat tools, and the settings
 * their Chat names. Pure: a Jackson tree in, a new tree out.
 *
 * <p>Refused ({@link TranslationException} naming the field), rather than quietly answered as something else: a
 * {@code previous_response_id} (these deployments store nothing: the conversation must be sent), {@code background},
 * {@code conversation}, built-in tools (any tool but {@code function}), and items or content parts without a Chat
 * form. Reasoning items are dropped, as LiteLLM drops them.
 */
final class ResponsesRequestToChat {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Set<String> ROLES = Set.of("user", "assistant", "system", "developer");
  /** Copied as they are: the Chat fields of the same name and meaning. */
  private static final String[] SAME_FIELDS = {"model", "stream", "temperature", "top_p", "parallel_tool_calls",
      "user", "safety_identifier", "metadata"};

  private ResponsesRequestToChat() {
  }

  static ObjectNode request(JsonNode responses) {
    if (!responses.isObject()) {
      throw new TranslationException("request body must be a JSON object");
    }
    for (String stateful : new String[] {"previous_response_id", "conversation"}) {
      if (responses.hasNonNull(stateful)) {
        throw new TranslationException(stateful + ": stored responses are served for OpenAI-API deployments only;"
            + " send the whole conversation as input", stateful);
      }
    }
    if (responses.path("background").asBoolean(false)) {
      throw new TranslationException("background: not served for these deployments", "background");
    }
    ObjectNode chat = NODES.objectNode();
    for (String field : SAME_FIELDS) {
      if (responses.has(field)) {
        chat.set(field, responses.get(field));
      }
    }
    if (responses.hasNonNull("max_output_tokens")) {
      chat.set("max_completion_tokens", responses.get("max_output_tokens"));
    }
    JsonNode effort = responses.path("reasoning").path("effort");
    if (effort.isTextual()) {
      chat.set("reasoning_effort", effort);
    }
    format(responses.path("text").path("format"), chat);
    tools(responses, chat);
    ArrayNode messages = chat.putArray("messages");
    JsonNode instructions = responses.get("instructions");
    if (instructions != null && instructions.isTextual() && !instructions.textValue().isEmpty()) {
      messages.addObject().put("role", "system").set("content", instructions);
    }
    JsonNode input = responses.get("input");
    if (input != null && input.isTextual()) {
      messages.addObject().put("role", "user").set("content", input);
    } else if (input != null && input.isArray()) {
      for (int i = 0; i < input.size(); i++) {
        item(input.get(i), "input[" + i + "]", messages);
      }
    } else if (input != null && !input.isNull()) {
      throw new TranslationException("input: must be a string or an array of input items", "input");
    }
    return chat;
  }

  private static void item(JsonNode item, String where, ArrayNode messages) {
    if (!item.isObject()) {
      throw new TranslationException(where + ": must be an object", where);
    }
    String type = item.path("type").asText("message");
    switch (type) {
      case "message" -> messages.add(message(item, where));
      case "function_call" -> {
        ObjectNode call = NODES.objectNode().put("id", text(item, "call_id", where)).put("type", "function");
        call.putObject("function").put("name", text(item, "name", where))
            .put("arguments", text(item, "arguments", where));
        assistantTurn(messages).withArray("tool_calls").add(call);
      }
      case "function_call_output" -> {
        ObjectNode result = messages.addObject().put("role", "tool").put("tool_call_id", text(item, "call_id", where));
        JsonNode output = item.get("output");
        result.set("content", output != null && output.isArray() ? parts(output, where + ".output", "user")
            : NODES.textNode(output == null || output.isNull() ? "" : output.asText()));
      }
      case "reasoning" -> {
        // Claude's own thinking, as this gateway gave it (ChatToResponse.reasoningItem), goes back first in the turn
        // that follows it; anything else (OpenAI's encrypted reasoning, a bare summary) is dropped, as LiteLLM drops
        // it: it is not the signed block Claude would need
        ObjectNode thinking = ChatToResponse.thinkingBlock(item.get("encrypted_content"));
        if (thinking != null) {
          assistantTurn(messages).withArray("thinking_blocks").add(thinking);
        }
      }
      default -> throw new TranslationException(where + ".type: '" + type + "' items are not served for these"
          + " deployments", where + ".type");
    }
  }

  /**
   * The assistant message the model's turn goes on in: the last message when it is the assistant's, else a new one.
   * A turn's reasoning, the text before its calls and the calls are one assistant message (Claude wants them in one
   * turn, its thinking first, which the Chat pair puts there).
   */
  private static ObjectNode assistantTurn(ArrayNode messages) {
    JsonNode last = messages.isEmpty() ? null : messages.get(messages.size() - 1);
    return last != null && "assistant".equals(last.path("role").asText()) ? (ObjectNode) last
        : messages.addObject().put("role", "assistant").putNull("content");
  }

  private static ObjectNode message(JsonNode item, String where) {
    String role = item.path("role").asText("");
    if (!ROLES.contains(role)) {
      throw new TranslationException(where + ".role: must be one of user, assistant, system, developer",
          where + ".role");
    }
    ObjectNode message = NODES.objectNode().put("role", role);
    JsonNode content = item.get("content");
    if (content != null && content.isTextual()) {
      message.set("content", content);
    } else if (content != null && content.isArray()) {
      message.set("content", parts(content, where + ".content", role));
    } else {
      throw new TranslationException(where + ".content: must be a string or an array of content parts",
          where + ".content");
    }
    return message;
  }

  /** Responses content parts as Chat parts. */
  private static ArrayNode parts(JsonNode content, String where, String role) {
    ArrayNode parts = NODES.arrayNode();
    for (int i = 0; i < content.size(); i++) {
      JsonNode part = content.get(i);
      String at = where + "[" + i + "]";
      String type = part.path("type").asText("");
      switch (type) {
        case "input_text", "output_text" -> parts.addObject().put("type", "text").put("text", text(part, "text", at));
        case "refusal" -> parts.addObject().put("type", "text").put("text", text(part, "refusal", at));
        case "input_image" -> {
          JsonNode url = part.get("image_url");
          if (url == null || !url.isTextual() || "assistant".equals(role)) {
            throw new TranslationException(at + ": images are served as an image_url in a user message", at);
          }
          parts.addObject().put("type", "image_url").putObject("image_url").put("url", url.textValue());
        }
        case "input_file" -> {
          JsonNode data = part.get("file_data");
          if (data == null || !data.isTextual()) {
            throw new TranslationException(at + ": files are served as file_data", at);
          }
          ObjectNode file = parts.addObject().put("type", "file").putObject("file").put("file_data", data.textValue());
          if (part.path("filename").isTextual()) {
            file.put("filename", part.get("filename").textValue());
          }
        }
        default -> throw new TranslationException(at + ".type: '" + type + "' parts are not served for these"
            + " deployments", at + ".type");
      }
    }
    return parts;
  }

  /**
   * {@code responses} without its built-in tools (any tool but {@code function}), nor a {@code tool_choice} that
   * names one; the same tree when it has none.
   */
  static JsonNode withoutBuiltInTools(JsonNode responses) {
    JsonNode tools = responses.path("tools");
    if (!responses.isObject() || !tools.isArray()) {
      return responses;
    }
    ArrayNode functions = NODES.arrayNode();
    tools.forEach(tool -> {
      if (tool.path("type").asText("").equals("function")) {
        functions.add(tool);
      }
    });
    if (functions.size() == tools.size()) {
      return responses;
    }
    ObjectNode without = ((ObjectNode) responses).deepCopy();
    without.set("tools", functions);
    JsonNode choice = responses.get("tool_choice");
    if (choice != null && choice.isObject() && !choice.path("type").asText("").equals("function")) {
      without.remove("tool_choice");
    }
    return without;
  }

  private static void tools(JsonNode responses, ObjectNode chat) {
    JsonNode tools = responses.get("tools");
    if (tools != null && tools.isArray() && !tools.isEmpty()) {
      ArrayNode chatTools = chat.putArray("tools");
      for (int i = 0; i < tools.size(); i++) {
        JsonNode tool = tools.get(i);
        String type = tool.path("type").asText("");
        if (!type.equals("function")) {
          throw new TranslationException("tools[" + i + "].type: '" + type + "' tools (OpenAI's built-in tools) are"
              + " not served for these deployments; only function tools are (drop_params: true drops the others)",
              "tools[" + i + "].type");
        }
        ObjectNode function = chatTools.addObject().put("type", "function").putObject("function")
            .put("name", text(tool, "name", "tools[" + i + "]"));
        for (String field : new String[] {"description", "parameters", "strict"}) {
          if (tool.hasNonNull(field)) {
            function.set(field, tool.get(field));
          }
        }
      }
    }
    JsonNode choice = responses.get("tool_choice");
    if (choice != null && choice.isTextual()) {
      chat.set("tool_choice", choice);
    } else if (choice != null && choice.isObject()) {
      if (!"function".equals(choice.path("type").asText())) {
        throw new TranslationException("tool_choice: only a function can be chosen for these deployments",
            "tool_choice");
      }
      chat.putObject("tool_choice").put("type", "function").putObject("function")
          .put("name", text(choice, "name", "tool_choice"));
    }
  }

  /** {@code text.format}: a JSON schema or JSON object answer is Chat's {@code response_format}. */
  private static void format(JsonNode format, ObjectNode chat) {
    String type = format.path("type").asText("text");
    if (type.equals("json_object")) {
      chat.putObject("response_format").put("type", "json_object");
    } else if (type.equals("json_schema")) {
      ObjectNode schema = chat.putObject("response_format").put("type", "json_schema").putObject("json_schema");
      for (String field : new String[] {"name", "schema", "strict", "description"}) {
        if (format.hasNonNull(field)) {
          schema.set(field, format.get(field));
        }
      }
    }
  }

  private static String text(JsonNode object, String field, String where) {
    JsonNode value = object.get(field);
    if (value == null || !value.isTextual()) {
      throw new TranslationException(where + "." + field + ": must be a string", where + "." + field);
    }
    return value.textValue();
  }
}
