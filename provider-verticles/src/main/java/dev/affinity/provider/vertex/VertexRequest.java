package dev.affinity.provider.vertex;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.affinity.model.Operation;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.config.Deployment;
import dev.affinity.provider.UpstreamPath;
import dev.affinity.provider.gemini.GeminiExchange;

import java.util.Objects;

/**
 * A request to a model on Vertex AI. For Claude it is the Anthropic Messages request: the model moves from the body
 * into the path ({@code .../publishers/anthropic/models/{model}:rawPredict}, or {@code :streamRawPredict} when the
 * client streams), and the body names Vertex's {@code anthropic_version}. Everything else, {@code stream} and every
 * {@code cache_control} marker included, passes through untouched. Token counting goes to the
 * {@code count-tokens:rawPredict} model, whose body keeps the model. For Gemini the body is translated
 * ({@link #gemini}).
 *
 * @param uri    the absolute URI to POST to
 * @param stream whether the answer is a stream of server-sent events
 * @param body   the body to send
 */
public record VertexRequest(String uri, boolean stream, byte[] body) {

  /** The only {@code anthropic_version} Vertex AI accepts. */
  public static final String ANTHROPIC_VERSION = "vertex-2023-10-16";

  private static final ObjectMapper JSON = new ObjectMapper();

  public VertexRequest {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(body, "body");
  }

  /**
   * The request that sends {@code anthropicBody} (not changed) to {@code model} on {@code deployment}.
   *
   * @param countTokens whether this is a token count rather than a message
   * @throws IllegalArgumentException when the body is not a JSON object
   */
  public static VertexRequest of(Deployment deployment, String model, boolean countTokens, JsonNode anthropicBody) {
    if (anthropicBody == null || !anthropicBody.isObject()) {
      throw new IllegalArgumentException("request body must be a JSON object");
    }
    ObjectNode body = ((ObjectNode) anthropicBody).deepCopy();
    body.put("anthropic_version", ANTHROPIC_VERSION);
    if (countTokens) {
      body.put("model", model);
      return new VertexRequest(claudeUri(deployment, model, true, false), false, bytes(body));
    }
    body.remove("model");
    boolean stream = body.path("stream").asBoolean(false);
    return new VertexRequest(claudeUri(deployment, model, false, stream), stream, bytes(body));
  }

  /** Where a call of Claude {@code model} on {@code deployment} goes: rawPredict, its stream, or the token count. */
  public static String claudeUri(Deployment deployment, String model, boolean countTokens, boolean stream) {
    String models = models(deployment, "anthropic");
    return countTokens ? models + "count-tokens:rawPredict"
        : models + UpstreamPath.googleModel(model) + (stream ? ":streamRawPredict" : ":rawPredict");
  }

  /** Where a call of Gemini {@code model} on {@code deployment} goes. */
  public static String geminiUri(Deployment deployment, String model, ProviderCall call) {
    return models(deployment, "google") + UpstreamPath.googleModel(model) + GeminiExchange.method(call);
  }

  /**
   * The call of Gemini {@code model} on {@code deployment}: the body translated from the client's Anthropic one
   * ({@link GeminiExchange}), to {@code publishers/google/models/{model}:generateContent},
   * {@code :streamGenerateContent?alt=sse} or {@code :countTokens} (whose body on Vertex AI is the
   * {@code generateContent} one, the model being in the path).
   *
   * @throws dev.affinity.provider.translate.TranslationException when the client's body cannot be translated
   */
  public static VertexRequest gemini(Deployment deployment, String model, ProviderCall call) {
    ObjectNode body = GeminiExchange.request(call);
    boolean countTokens = call.request().operation().countsTokens();
    if (countTokens) {
      GeminiExchange.forCounting(body);
    }
    return new VertexRequest(geminiUri(deployment, model, call), !countTokens && call.request().stream(), bytes(body));
  }

  /** Where {@code publisher}'s models are called for {@code deployment}, up to and including {@code models/}. */
  private static String models(Deployment deployment, String publisher) {
    return deployment.apiBase() + "/v1/projects/" + deployment.settings(VertexSettings.class).project() + "/locations/"
        + deployment.settings(VertexSettings.class).location() + "/publishers/" + publisher + "/models/";
  }

  private static byte[] bytes(ObjectNode body) {
    try {
      return JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serialises", e);
    }
  }
}
