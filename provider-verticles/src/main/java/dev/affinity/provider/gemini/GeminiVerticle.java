package dev.affinity.provider.gemini;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.affinity.model.Operation;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.ProviderKind;
import dev.affinity.provider.UpstreamPath;
import dev.affinity.provider.ProviderVerticle;
import dev.affinity.provider.SseTap;
import dev.affinity.provider.UpstreamBody;
import dev.affinity.provider.UpstreamFailure;
import dev.affinity.provider.anthropic.SseUsageTap;
import dev.affinity.provider.translate.OpenAiStreamRewrite;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * Calls Gemini through the Gemini API ({@code generateContent}, {@code streamGenerateContent?alt=sse},
 * {@code countTokens}) for Anthropic-API clients, and, through the router's translation, OpenAI ones. The Messages
 * body is translated ({@link AnthropicToGemini}); answers come back as Anthropic's: complete ones by
 * {@link GeminiToAnthropic}, streams by {@link GeminiEventStream} as a decoder, so the usage tap and the OpenAI
 * rewrite downstream see an Anthropic event stream. Authenticated by the deployment's API key in
 * {@code x-goog-api-key}, which never appears in an error.
 */
public final class GeminiVerticle extends ProviderVerticle {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  protected ProviderKind kind() {
    return ProviderKind.GEMINI;
  }

  @Override
  protected Future<Outbound> outbound(ProviderCall call) {
    Deployment deployment = call.deployment();
    ObjectNode gemini;
    try {
      gemini = GeminiExchange.request(call);
    } catch (UpstreamFailure.Refusal refused) {
      return Future.failedFuture(refused);
    }
    String model = deployment.upstreamModel(call.request().model());
    String method = GeminiExchange.method(call);
    Buffer body;
    if (call.request().operation().countsTokens()) {
      // the Gemini API counts a whole generateContent request, which names its model
      ObjectNode wrapped = JSON.createObjectNode();
      wrapped.set("generateContentRequest", GeminiExchange.forCounting(gemini).put("model", "models/" + model));
      body = Buffer.buffer(wrapped.toString());
    } else {
      body = Buffer.buffer(gemini.toString());
    }
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
        .setAbsoluteURI(deployment.apiBase() + "/v1beta/models/" + UpstreamPath.googleModel(model) + method)
        .putHeader("content-type", "application/json")
        .putHeader("x-goog-api-key", deployment.apiKey().value());
    return Future.succeededFuture(new Outbound(options, body));
  }

  @Override
  protected boolean relayed(String header) {
    return header.equals("retry-after");
  }

  @Override
  protected SseTap streamTap(ProviderCall call) {
    return new SseUsageTap();
  }

  @Override
  protected UpstreamBody.Rewrite streamDecoder(ProviderCall call) {
    return new GeminiEventStream(call.request().model(), call.deployment().id());
  }

  /** An OpenAI client gets OpenAI chunks, translated from the decoded Anthropic stream. */
  @Override
  protected UpstreamBody.Rewrite streamRewrite(ProviderCall call) {
    return OpenAiStreamRewrite.of(call);
  }

  /** Complete answers are always translated JSON, whatever Google's front end (or a proxy) labelled them. */
  @Override
  protected String contentType(HttpClientResponse response, boolean streamed) {
    return streamed ? response.getHeader("content-type") : "application/json";
  }

  @Override
  protected Complete complete(ProviderCall call, int status, Buffer body) {
    String deploymentId = call.deployment().id();
    return GeminiExchange.complete(call, status, body, "Gemini",
        (code, json) -> GeminiToAnthropic.error(code, json, deploymentId));
  }
}
