package dev.affinity.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * An Anthropic Messages request as a Gemini {@code GenerateContentRequest}. The model is not in the body (Gemini names
 * it in the path). What Gemini has no place for is dropped: {@code cache_control} markers (Gemini caches implicitly),
 * thinking blocks (their signatures mean nothing to Gemini), {@code metadata}, server tools without an input schema.
 */
public final class GeminiRequest {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  /** JSON Schema keywords outside the OpenAPI subset Gemini's function declarations accept. */
  private static final Set<String> UNSUPPORTED_SCHEMA_KEYS = Set.of("$schema", "$id", "$comment",
      "additionalProperties", "strict");

  private GeminiRequest() {
  }

  /** @throws IllegalArgumentException when the request is not a Messages request (no {@code messages} array) */
  public static ObjectNode request(JsonNode anthropic) {
    if (!anthropic.isObject() || !anthropic.path("messages").isArray()) {
      throw new IllegalArgumentException("messages: Field required");
    }
    ObjectNode gemini = NODES.objectNode();
    ArrayNode system = textParts(anthropic.get("system"));
    if (!system.isEmpty()) {
      gemini.putObject("systemInstruction").set("parts", system);
    }
    gemini.set("contents", contents(anthropic.path("messages")));
    ArrayNode declarations = NODES.arrayNode();
    for (JsonNode tool : anthropic.path("tools")) {
      if (tool.path("input_schema").isObject()) {
        ObjectNode declaration = declarations.addObject().put("name", tool.path("name").asText());
        if (tool.path("description").isTextual()) {
          declaration.put("description", tool.path("description").asText());
        }
        declaration.set("parameters", schema(tool.get("input_schema")));
      }
    }
    if (!declarations.isEmpty()) {
      gemini.putArray("tools").addObject().set("functionDeclarations", declarations);
      ObjectNode toolConfig = toolConfig(anthropic.path("tool_choice"));
      if (toolConfig != null) {
        gemini.set("toolConfig", toolConfig);
      }
    }
    ObjectNode generation = generationConfig(anthropic);
    if (!generation.isEmpty()) {
      gemini.set("generationConfig", generation);
    }
    return gemini;
  }

  /** Messages in order; assistant turns are Gemini's {@code model}, every other role (a mid-list system) a user's. */
  private static ArrayNode contents(JsonNode messages) {
    Map<String, String> toolNames = new HashMap<>();
    ArrayNode contents = NODES.arrayNode();
    for (JsonNode message : messages) {
      boolean assistant = "assistant".equals(message.path("role").asText());
      ArrayNode parts = NODES.arrayNode();
      JsonNode content = message.get("content");
      if (content != null && content.isTextual()) {
        parts.addObject().put("text", content.asText());
      } else if (content != null && content.isArray()) {
        for (JsonNode block : content) {
          part(block, toolNames, parts);
        }
      }
      if (!parts.isEmpty()) {
        ObjectNode turn = contents.addObject().put("role", assistant ? "model" : "user");
        turn.set("parts", parts);
      }
    }
    return contents;
  }

  private static void part(JsonNode block, Map<String, String> toolNames, ArrayNode parts) {
    switch (block.path("type").asText()) {
      case "text" -> parts.addObject().put("text", block.path("text").asText());
      case "image", "document" -> media(block.path("source"), parts);
      case "tool_use" -> {
        String name = block.path("name").asText();
        toolNames.put(block.path("id").asText(), name);
        ObjectNode call = parts.addObject().putObject("functionCall").put("name", name);
        call.set("args", block.path("input").isObject() ? block.get("input") : NODES.objectNode());
      }
      case "tool_result" -> {
        String id = block.path("tool_use_id").asText();
        ObjectNode response = parts.addObject().putObject("functionResponse")
            .put("name", toolNames.getOrDefault(id, id));
        // Gemini wants an object; the result's text goes under "result", or "error" when the tool failed.
        response.putObject("response").put(block.path("is_error").asBoolean() ? "error" : "result",
            resultText(block.get("content")));
        for (JsonNode inner : block.path("content")) {
          if (inner.path("type").asText().equals("image")) {
            media(inner.path("source"), parts);
          }
        }
      }
      default -> {
        // thinking, redacted_thinking and server tool blocks have no Gemini counterpart
      }
    }
  }

  private static void media(JsonNode source, ArrayNode parts) {
    String kind = source.path("type").asText();
    if (kind.equals("base64")) {
      parts.addObject().putObject("inlineData").put("mimeType", source.path("media_type").asText())
          .put("data", source.path("data").asText());
    } else if (kind.equals("url")) {
      ObjectNode file = parts.addObject().putObject("fileData").put("fileUri", source.path("url").asText());
      if (source.path("media_type").isTextual()) {
        file.put("mimeType", source.path("media_type").asText());
      }
    } else if (kind.equals("text")) {
      parts.addObject().put("text", source.path("data").asText());
    }
  }

  private static String resultText(JsonNode content) {
    if (content == null || content.isNull()) {
      return "";
    }
    if (content.isTextual()) {
      return content.asText();
    }
    StringBuilder text = new StringBuilder();
    for (JsonNode block : content) {
      if (block.path("type").asText().equals("text")) {
        if (!text.isEmpty()) {
          text.append('\n');
        }
        text.append(block.path("text").asText());
      }
    }
    return text.toString();
  }

  /** {@code system} as a string or text blocks. */
  private static ArrayNode textParts(JsonNode system) {
    ArrayNode parts = NODES.arrayNode();
    if (system == null || system.isNull()) {
      return parts;
    }
    if (system.isTextual()) {
      if (!system.asText().isEmpty()) {
        parts.addObject().put("text", system.asText());
      }
      return parts;
    }
    for (JsonNode block : system) {
      if (block.path("type").asText().equals("text")) {
        parts.addObject().put("text", block.path("text").asText());
      }
    }
    return parts;
  }

  /** A copy of a tool's JSON schema without the keywords Gemini rejects, at any depth. */
  static JsonNode schema(JsonNode schema) {
    if (schema.isArray()) {
      ArrayNode copy = NODES.arrayNode();
      schema.forEach(item -> copy.add(schema(item)));
      return copy;
    }
    if (!schema.isObject()) {
      return schema;
    }
    ObjectNode copy = NODES.objectNode();
    for (Iterator<Map.Entry<String, JsonNode>> fields = schema.fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      String key = field.getKey();
      if (UNSUPPORTED_SCHEMA_KEYS.contains(key)) {
        continue;
      }
      if (key.equals("properties") && field.getValue().isObject()) {
        // property names are the user's, never keywords: only their schemas are cleaned
        ObjectNode properties = copy.putObject("properties");
        field.getValue().fields().forEachRemaining(p -> properties.set(p.getKey(), schema(p.getValue())));
      } else {
        copy.set(key, schema(field.getValue()));
      }
    }
    return copy;
  }

  private static ObjectNode toolConfig(JsonNode choice) {
    String mode = switch (choice.path("type").asText()) {
      case "auto" -> "AUTO";
      case "any", "tool" -> "ANY";
      case "none" -> "NONE";
      default -> null;
    };
    if (mode == null) {
      return null;
    }
    ObjectNode config = NODES.objectNode();
    ObjectNode calling = config.putObject("functionCallingConfig").put("mode", mode);
    if (choice.path("type").asText().equals("tool")) {
      calling.putArray("allowedFunctionNames").add(choice.path("name").asText());
    }
    return config;
  }

  private static ObjectNode generationConfig(JsonNode anthropic) {
    ObjectNode config = NODES.objectNode();
    if (anthropic.path("max_tokens").isNumber()) {
      config.put("maxOutputTokens", anthropic.get("max_tokens").asLong());
    }
    if (anthropic.path("temperature").isNumber()) {
      config.set("temperature", anthropic.get("temperature"));
    }
    if (anthropic.path("top_p").isNumber()) {
      config.set("topP", anthropic.get("top_p"));
    }
    if (anthropic.path("top_k").isNumber()) {
      config.set("topK", anthropic.get("top_k"));
    }
    if (anthropic.path("stop_sequences").isArray() && !anthropic.get("stop_sequences").isEmpty()) {
      config.set("stopSequences", anthropic.get("stop_sequences"));
    }
    JsonNode thinking = anthropic.path("thinking");
    if (thinking.path("type").asText().equals("enabled") && thinking.path("budget_tokens").isNumber()) {
      config.putObject("thinkingConfig").put("thinkingBudget", thinking.get("budget_tokens").asLong());
    }
    return config;
  }
}
