package dev.affinity.provider.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.model.ClientApi;
import dev.affinity.model.GatewayError;
import dev.affinity.model.Operation;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.ProviderKind;
import dev.affinity.provider.vertex.VertexSettings;
import dev.affinity.provider.anthropic.AnthropicAnswer;
import dev.affinity.provider.anthropic.SseUsageTap;
import dev.affinity.provider.gemini.GeminiEventStream;
import dev.affinity.provider.gemini.GeminiExchange;
import dev.affinity.provider.gemini.GeminiToAnthropic;
import dev.affinity.provider.vertex.VertexError;
import dev.affinity.provider.vertex.VertexRequest;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;

/**
 * An Anthropic client on Vertex AI. Claude models take the Messages body with Vertex's {@code anthropic_version}
 * (the model in the path), stream Anthropic's events and answer in Anthropic's JSON; Google's errors become
 * Anthropic's ({@link VertexError}). Gemini models on Vertex AI speak Gemini's API: the body, answers and stream are
 * translated as for the Gemini API ({@link GeminiExchange}, {@link GeminiEventStream}).
 */
public final class AnthropicToVertex implements Translator {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public ClientApi client() {
    return ClientApi.ANTHROPIC;
  }

  @Override
  public ProviderKind upstream() {
    return ProviderKind.VERTEX;
  }

  @Override
  public JsonNode canonical(JsonNode clientBody) {
    return clientBody;
  }

  /** Whether the call goes to a Gemini model, which speaks Gemini's API rather than Anthropic's. */
  public static boolean gemini(ProviderCall call) {
    return VertexSettings.servesGemini(call.deployment().upstreamModel(call.request().model()));
  }

  @Override
  public Buffer requestBody(ProviderCall call) {
    Deployment deployment = call.deployment();
    String model = deployment.upstreamModel(call.request().model());
    if (gemini(call)) {
      return Buffer.buffer(VertexRequest.gemini(deployment, model, call).body());
    }
    try {
      return Buffer.buffer(VertexRequest.of(deployment, model, call.request().operation().countsTokens(),
          JSON.readTree(call.body().getBytes())).body());
    } catch (IOException notJson) {
      throw new TranslationException("request body is not valid JSON");
    } catch (IllegalArgumentException invalid) {
      throw new TranslationException(invalid.getMessage());
    }
  }

  @Override
  public Answer answer(ProviderCall call, int status, MultiMap headers, Buffer body) {
    Deployment deployment = call.deployment();
    if (gemini(call)) {
      // Google's front end (tokens, permissions, quotas) answers as for Claude; an error inside a 200 is Gemini's
      return GeminiExchange.complete(call, status, body, "Vertex AI", (code, json) -> code >= 300
          ? VertexError.of(code, body.getBytes(), deployment) : GeminiToAnthropic.error(code, json, deployment.id()));
    }
    if (status >= 300) {
      // JSON whatever Google's front end said it was (an HTML page from a proxy included)
      return Answer.anthropicError(VertexError.of(status, body.getBytes(), deployment));
    }
    JsonNode json;
    try {
      json = JSON.readTree(body.getBytes());
    } catch (IOException notJson) {
      return Answer.anthropicError(GatewayError.upstreamUnreachable("deployment " + deployment.id()
          + ": Vertex AI answered with a body that is not JSON"));
    }
    return AnthropicAnswer.message(json, body);
  }

  @Override
  public StreamTranslation stream(ProviderCall call) {
    StreamDecoder decoder = gemini(call) ? new GeminiEventStream(call.request().model(), call.deployment().id())
        : StreamDecoder.NONE;
    return new TappedStream(decoder, new SseUsageTap(), null);
  }
}
