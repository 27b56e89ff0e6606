package dev.affinity.provider.gemini;

import dev.affinity.model.ProviderCall;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.ProviderKind;
import dev.affinity.provider.UpstreamPath;
import dev.affinity.provider.ProviderVerticle;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * Calls Gemini through the Gemini API ({@code generateContent}, {@code streamGenerateContent?alt=sse},
 * {@code countTokens}). The body, answers, stream and errors are the call's pair's ({@code AnthropicToGemini}:
 * {@link GeminiRequest}, {@link GeminiToAnthropic}, {@link GeminiEventStream}; {@code OpenAiToGemini}). Authenticated by the deployment's API key in
 * {@code x-goog-api-key}, which never appears in an error.
 */
public final class GeminiVerticle extends ProviderVerticle {

  @Override
  protected ProviderKind kind() {
    return ProviderKind.GEMINI;
  }

  @Override
  protected RequestOptions request(ProviderCall call) {
    Deployment deployment = call.deployment();
    String model = deployment.upstreamModel(call.request().model());
    return new RequestOptions().setMethod(HttpMethod.POST)
        .setAbsoluteURI(deployment.apiBase() + "/v1beta/models/" + UpstreamPath.googleModel(model)
            + GeminiExchange.method(call))
        .putHeader("content-type", "application/json")
        .putHeader("x-goog-api-key", deployment.apiKey().value());
  }

  @Override
  protected boolean relayed(String header) {
    return header.equals("retry-after");
  }
}
