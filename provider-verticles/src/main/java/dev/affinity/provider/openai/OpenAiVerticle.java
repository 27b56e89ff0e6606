package dev.affinity.provider.openai;

import dev.affinity.model.Operation;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.config.Deployment;
import dev.affinity.provider.openai.OpenAiSettings;
import dev.affinity.model.config.ProviderKind;
import dev.affinity.provider.ProviderVerticle;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * Calls OpenAI's Chat Completions API (or its Responses API, for a Responses client), or any server or provider
 * that speaks it (vLLM, SGLang, Azure, Groq...): the body goes out as the call's translator makes it, the answer comes
 * back through it (byte for byte for Chat Completions). Where the call goes and how the key travels is the
 * deployment's {@link OpenAiSettings}.
 */
public final class OpenAiVerticle extends ProviderVerticle {

  @Override
  protected ProviderKind kind() {
    return ProviderKind.OPENAI;
  }

  @Override
  protected RequestOptions request(ProviderCall call) {
    Deployment deployment = call.deployment();
    OpenAiSettings api = deployment.settings(OpenAiSettings.class);
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
        .setAbsoluteURI(call.request().operation() == Operation.RESPONSES ? api.responsesUri(deployment.apiBase())
            : api.chatCompletionsUri(deployment.apiBase(), deployment.upstreamModel(call.request().model())))
        .putHeader("content-type", "application/json");
    if (deployment.apiKey().present()) {
      if (api.apiKeyHeader(deployment.apiBase())) {
        options.putHeader("api-key", deployment.apiKey().value());
      } else {
        options.putHeader("authorization", "Bearer " + deployment.apiKey().value());
      }
    }
    return options;
  }

  @Override
  protected boolean relayed(String header) {
    return header.equals("x-request-id") || header.equals("retry-after") || header.equals("retry-after-ms")
        || header.startsWith("x-ratelimit-") || header.startsWith("openai-");
  }
}
