package dev.affinity.provider.anthropic;

import dev.affinity.model.Operation;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.config.ProviderKind;
import dev.affinity.provider.ProviderVerticle;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * Calls Anthropic's Messages API (or anything that speaks it, such as the upstream emulator) for the deployments the
 * router picks. Client {@code anthropic-*} headers go along; the client's credentials never do. What the client gets
 * back is its pair's ({@code AnthropicToAnthropic}, {@code OpenAiToAnthropic}).
 */
public final class AnthropicVerticle extends ProviderVerticle {

  static final String DEFAULT_VERSION = "2023-06-01";

  @Override
  protected ProviderKind kind() {
    return ProviderKind.ANTHROPIC;
  }

  @Override
  protected RequestOptions request(ProviderCall call) {
    Operation operation = call.request().operation();
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
        .setAbsoluteURI(call.deployment().apiBase()
            + (operation.countsTokens() ? "/v1/messages/count_tokens" : "/v1/messages")
            + (call.request().query() == null ? "" : "?" + call.request().query()));
    call.request().headers().forEach(options::putHeader);
    if (!call.request().headers().containsKey("anthropic-version")) {
      options.putHeader("anthropic-version", DEFAULT_VERSION);
    }
    return options.putHeader("content-type", "application/json")
        .putHeader("x-api-key", call.deployment().apiKey().value());
  }

  @Override
  protected boolean relayed(String header) {
    return header.equals("request-id") || header.equals("x-request-id") || header.equals("retry-after")
        || header.equals("x-should-retry") || header.startsWith("anthropic-");
  }
}
