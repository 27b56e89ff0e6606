package dev.affinity.router.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.Map;
import java.util.Set;

/**
 * A Responses API request laid out as the conversation OpenAI's automatic cache reads, in the Chat Completions shape
 * {@link AutomaticPrefixChain} chains: the {@code tools}, the {@code text.format} schema (as a
 * {@code response_format}), {@code instructions} as a first developer message, then the input items in order. So the
 * Responses form gets the chain's layout, chunks, key versioning and scoping, {@code prompt_cache_key} and
 * {@code prompt_cache_retention} (same field names) exactly as the Chat form does.
 *
 * <p>What keeps a conversation's prefix stable from turn to turn, whichever way the client re-sends it: a string
 * {@code input} is one user message; a message item is its role and content, text parts of any kind
 * ({@code input_text}, {@code output_text}) being plain text, so a string, an easy message and the output item it
 * came from (with the {@code id}, {@code status} and {@code annotations} the server gave it) hash alike; any other
 * item (a function call, its output, a reasoning item) is one block of its fields without {@code type}, {@code id}
 * and {@code status}, under its type in place of a role. The request is read, not changed: the view refers to its
 * nodes.
 */
public final class ResponsesConversation {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Set<String> TEXT_PARTS = Set.of("input_text", "output_text", "text");
  /** Fields the server gives an item, which a client may or may not echo: not part of what the model reads. */
  private static final Set<String> SERVER_FIELDS = Set.of("type", "id", "status");

  private ResponsesConversation() {
  }

  /** The conversation of a Responses request body (any JSON: what is not the expected shape is hashed as it is). */
  public static ObjectNode of(JsonNode request) {
    ObjectNode conversation = NODES.objectNode();
    for (String copied : new String[] {"tools", "prompt_cache_key", "prompt_cache_retention"}) {
      if (request.has(copied)) {
        conversation.set(copied, request.get(copied));
      }
    }
    JsonNode format = request.path("text").path("format");
    if (format.isObject()) {
      conversation.set("response_format", format);
    }
    ArrayNode messages = conversation.putArray("messages");
    JsonNode instructions = request.get("instructions");
    if (instructions != null && !instructions.isNull()) {
      messages.addObject().put("role", "developer").set("content", instructions);
    }
    JsonNode input = request.get("input");
    if (input != null && input.isTextual()) {
      messages.addObject().put("role", "user").set("content", input);
    } else if (input != null && input.isArray()) {
      for (JsonNode item : input) {
        messages.add(message(item));
      }
    } else if (input != null && !input.isNull()) {
      messages.addObject().put("role", "user").set("content", input);
    }
    return conversation;
  }

  private static JsonNode message(JsonNode item) {
    if (!item.isObject()) {
      return NODES.objectNode().put("role", "item").set("content", item);
    }
    String type = item.path("type").asText("message");
    if (type.equals("message")) {
      ObjectNode message = NODES.objectNode();
      JsonNode role = item.get("role");
      message.put("role", role == null || role.isNull() ? "" : role.asText());
      JsonNode content = item.get("content");
      message.set("content", content != null && content.isArray() ? parts(content) : content);
      return message;
    }
    ObjectNode message = NODES.objectNode().put("role", type);
    for (Map.Entry<String, JsonNode> field : item.properties()) {
      if (!SERVER_FIELDS.contains(field.getKey())) {
        message.set(field.getKey(), field.getValue());
      }
    }
    return message;
  }

  /** Content parts with every text part as its plain text (a string part, which the chain reads as text). */
  private static ArrayNode parts(JsonNode content) {
    ArrayNode parts = NODES.arrayNode(content.size());
    for (JsonNode part : content) {
      JsonNode text = part.get("text");
      if (part.isObject() && TEXT_PARTS.contains(part.path("type").asText()) && text != null && text.isTextual()) {
        parts.add(TextNode.valueOf(text.textValue()));
      } else {
        parts.add(part);
      }
    }
    return parts;
  }
}
