package dev.affinity.emulator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A Gemini {@code GenerateContentRequest} as Gemini's implicit cache sees it: one token stream — function
 * declarations, then the system instruction, then the contents in order — laid out by {@link ChatPrompt} (the
 * emulator's OpenAI cache model: cacheable boundaries every 128 tokens from 1024 on, each named by the hash of
 * everything before it, seeded with the model). A text part counts as text, any other part (inline data, a function
 * call or response) as its canonical JSON, 4 characters a token; each content adds its role's header.
 *
 * <p>Hits below the model's documented minimum for implicit caching ({@link #minimumCachedTokens}) do not count.
 */
final class GeminiPrompt {

  /** Implicit caching minimum of the Pro models. */
  static final int PRO_MINIMUM_TOKENS = 4096;
  /** Implicit caching minimum of the Flash models (and any other). */
  static final int FLASH_MINIMUM_TOKENS = 1024;

  private GeminiPrompt() {
  }

  /**
   * The prompt of a request whose {@code contents} is an array of objects.
   *
   * @throws GeminiError when the request is not one
   */
  static ChatPrompt of(String model, JsonObject request) {
    if (!(request.getValue("contents") instanceof JsonArray contents) || contents.isEmpty()) {
      throw GeminiError.invalidArgument("* GenerateContentRequest.contents: contents is not specified");
    }
    JsonArray messages = new JsonArray();
    if (request.getValue("systemInstruction") instanceof JsonObject system) {
      messages.add(message("system", system));
    }
    for (Object content : contents) {
      if (!(content instanceof JsonObject turn)) {
        throw GeminiError.invalidArgument("* GenerateContentRequest.contents: each content must be an object");
      }
      messages.add(message(turn.getString("role", "user"), turn));
    }
    JsonArray tools = request.getValue("tools") instanceof JsonArray array ? array : null;
    // the "gemini:" seed keeps these prefixes apart from an OpenAI prompt of the same text
    return ChatPrompt.of("gemini:" + model, null, tools, messages);
  }

  /** Tokens below which a prefix is not read from the cache, for {@code model}. */
  static int minimumCachedTokens(String model) {
    return model.contains("-pro") ? PRO_MINIMUM_TOKENS : FLASH_MINIMUM_TOKENS;
  }

  private static JsonObject message(String role, JsonObject content) {
    JsonArray parts = new JsonArray();
    if (content.getValue("parts") instanceof JsonArray given) {
      for (Object part : given) {
        if (part instanceof JsonObject object && object.getValue("text") instanceof String text
            && object.size() == 1) {
          parts.add(new JsonObject().put("type", "text").put("text", text));
        } else if (part instanceof JsonObject object) {
          parts.add(object);
        } else {
          throw GeminiError.invalidArgument("* GenerateContentRequest.contents.parts: each part must be an object");
        }
      }
    }
    return new JsonObject().put("role", role).put("content", parts);
  }
}
