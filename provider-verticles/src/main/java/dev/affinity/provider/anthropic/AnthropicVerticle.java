package dev.affinity.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.model.Operation;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.TokenUsage;
import dev.affinity.model.config.ProviderKind;
import dev.affinity.provider.ProviderVerticle;
import dev.affinity.provider.SseTap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import java.io.IOException;

/**
 * Calls Anthropic's Messages API (or anything that speaks it, such as the upstream emulator) for the deployments the
 * router picks. Client {@code anthropic-*} headers go along; the client's credentials never do.
 */
public final class AnthropicVerticle extends ProviderVerticle {

  static final String DEFAULT_VERSION = "2023-06-01";
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  protected ProviderKind kind() {
    return ProviderKind.ANTHROPIC;
  }

  @Override
  protected RequestOptions request(ProviderCall call) {
    Operation operation = call.request().operation();
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
        .setAbsoluteURI(call.deployment().apiBase()
            + (operation == Operation.COUNT_TOKENS ? "/v1/messages/count_tokens" : "/v1/messages")
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

  @Override
  protected SseTap streamTap(ProviderCall call) {
    return new SseUsageTap();
  }

  @Override
  protected Complete complete(ProviderCall call, int status, Buffer body) {
    try {
      JsonNode json = JSON.readTree(body.getBytes());
      return new Complete(body, AnthropicUsage.merge(TokenUsage.NONE, json.path("usage")),
          status >= 400 ? json.path("error").path("type").asText("api_error") : null);
    } catch (IOException notJson) {
      return new Complete(body, TokenUsage.NONE, status >= 400 ? "api_error" : null);
    }
  }
}
