package dev.affinity.provider.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.affinity.model.ClientApi;
import dev.affinity.model.JsonBody;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.config.ProviderKind;
import dev.affinity.provider.anthropic.SseUsageTap;
import dev.affinity.provider.gemini.GeminiEventStream;
import dev.affinity.provider.gemini.GeminiExchange;
import dev.affinity.provider.gemini.GeminiRequest;
import dev.affinity.provider.gemini.GeminiToAnthropic;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/**
 * An Anthropic client on the Gemini API: the Messages body as a {@code generateContent} body ({@link GeminiRequest};
 * for {@code countTokens} wrapped with its model, as the Gemini API counts a whole request), answers as Anthropic
 * messages ({@link GeminiToAnthropic}), the stream as Anthropic's events ({@link GeminiEventStream}).
 */
public final class AnthropicToGemini implements Translator {

  @Override
  public ClientApi client() {
    return ClientApi.ANTHROPIC;
  }

  @Override
  public ProviderKind upstream() {
    return ProviderKind.GEMINI;
  }

  @Override
  public JsonNode canonical(JsonNode clientBody) {
    return clientBody;
  }

  @Override
  public Buffer requestBody(ProviderCall call) {
    ObjectNode gemini = GeminiExchange.request(call);
    if (!call.request().operation().countsTokens()) {
      return JsonBody.of(gemini);
    }
    String model = call.deployment().upstreamModel(call.request().model());
    ObjectNode wrapped = JsonNodeFactory.instance.objectNode();
    wrapped.set("generateContentRequest", GeminiExchange.forCounting(gemini).put("model", "models/" + model));
    return JsonBody.of(wrapped);
  }

  /** Always JSON the pair wrote, whatever Google's front end (or a proxy) labelled the answer. */
  @Override
  public Answer answer(ProviderCall call, int status, MultiMap headers, Buffer body) {
    String deploymentId = call.deployment().id();
    return GeminiExchange.complete(call, status, body, "Gemini",
        (code, json) -> GeminiToAnthropic.error(code, json, deploymentId));
  }

  @Override
  public StreamTranslation stream(ProviderCall call) {
    return new TappedStream(new GeminiEventStream(call.request().model(), call.deployment().id()), new SseUsageTap(),
        null);
  }
}
