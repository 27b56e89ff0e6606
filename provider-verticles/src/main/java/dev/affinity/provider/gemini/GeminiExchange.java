package dev.affinity.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.affinity.model.GatewayError;
import dev.affinity.model.JsonBody;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.TokenUsage;
import dev.affinity.provider.translate.Answer;
import dev.affinity.provider.translate.TranslationException;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;

/**
 * One call of a Gemini model, whichever door it goes through: the Gemini API (an API key) or Vertex AI (an access
 * token, the model under {@code publishers/google}). Both take the same {@code generateContent} body and answer in
 * the same shape, so the translation lives here; the door decides the address, the credentials, the
 * {@code countTokens} body and how its error answers read ({@link Errors}).
 */
public final class GeminiExchange {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** How a door's error answers become the client's errors. */
  @FunctionalInterface
  public interface Errors {

    /**
     * The error for an answer of HTTP {@code status} (0 for an error object in a 200 answer) whose body is
     * {@code body}, null when it is not JSON.
     */
    GatewayError of(int status, JsonNode body);
  }

  private GeminiExchange() {
  }

  /**
   * The client's Anthropic body as a Gemini {@code generateContent} body.
   *
   * @throws TranslationException when the body is not JSON or cannot be translated: the client's fault
   */
  public static ObjectNode request(ProviderCall call) {
    try {
      return GeminiRequest.request(JSON.readTree(call.body().getBytes()));
    } catch (IOException notJson) {
      throw new TranslationException("request body is not valid JSON");
    } catch (TranslationException untranslatable) {
      throw untranslatable;
    } catch (IllegalArgumentException invalid) {
      throw new TranslationException(invalid.getMessage());
    }
  }

  /** The model URI's method for the call: {@code :countTokens}, {@code :generateContent} or the SSE stream's. */
  public static String method(ProviderCall call) {
    if (call.request().operation().countsTokens()) {
      return ":countTokens";
    }
    return call.request().stream() ? ":streamGenerateContent?alt=sse" : ":generateContent";
  }

  /**
   * A {@code generateContent} body made a {@code countTokens} one: what is generated does not count, so the
   * generation and tool settings go (Gemini refuses some of them there).
   */
  public static ObjectNode forCounting(ObjectNode generateContent) {
    generateContent.remove("generationConfig");
    generateContent.remove("toolConfig");
    return generateContent;
  }

  /**
   * The Anthropic answer for a complete (non-streamed) Gemini answer: an Anthropic message, with usage from {@code usageMetadata} (the implicitly cached part of the prompt
   * a cache read); a token count; or the error {@code errors} makes of it.
   *
   * @param upstream what to call the upstream in an error, {@code Gemini} or {@code Vertex AI}
   */
  public static Answer complete(ProviderCall call, int status, Buffer body, String upstream, Errors errors) {
    JsonNode json;
    try {
      json = JSON.readTree(body.getBytes());
    } catch (IOException notJson) {
      json = null;
    }
    if (status >= 300 || json == null || !json.isObject() || json.has("error")) {
      GatewayError error = status >= 300 || json != null ? errors.of(status >= 300 ? status : 0, json)
          : GatewayError.upstreamUnreachable("deployment " + call.deployment().id() + ": " + upstream
              + " answered with a body that is not JSON");
      return Answer.anthropicError(error);
    }
    if (call.request().operation().countsTokens()) {
      ObjectNode count = JSON.createObjectNode().put("input_tokens", json.path("totalTokens").asLong());
      return Answer.json(200, JsonBody.of(count), TokenUsage.NONE, null);
    }
    ObjectNode message = GeminiToAnthropic.message(json, call.request().model());
    TokenUsage usage = GeminiToAnthropic.usage(json.path("usageMetadata"));
    return Answer.json(200, JsonBody.of(message), usage, null);
  }
}
