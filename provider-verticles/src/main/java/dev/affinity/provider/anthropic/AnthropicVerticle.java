package dev.affinity.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.model.Operation;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.TokenUsage;
import dev.affinity.model.config.ProviderKind;
import dev.affinity.provider.ProviderVerticle;
import dev.affinity.provider.SseTap;
import dev.affinity.provider.UpstreamBody;
import dev.affinity.provider.translate.AnthropicToOpenAi;
import dev.affinity.provider.translate.OpenAiStreamRewrite;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import java.io.IOException;

/**
 * Calls Anthropic's Messages API (or anything that speaks it, such as the upstream emulator) for the deployments the
 * router picks. Client {@code anthropic-*} headers go along; the client's credentials never do. For a client of the
 * OpenAI API (its request translated by the router), answers, streams and errors are translated back.
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

  @Override
  protected SseTap streamTap(ProviderCall call) {
    return new SseUsageTap();
  }

  /** An OpenAI client gets OpenAI chunks: the Anthropic stream is translated as it goes, event by event. */
  @Override
  protected UpstreamBody.Rewrite streamRewrite(ProviderCall call) {
    return OpenAiStreamRewrite.of(call);
  }

  @Override
  protected Complete complete(ProviderCall call, int status, Buffer body) {
    boolean openAiClient = call.request().operation() == Operation.CHAT_COMPLETIONS;
    JsonNode json;
    try {
      json = JSON.readTree(body.getBytes());
    } catch (IOException notJson) {
      json = null;
    }
    TokenUsage usage = json == null ? TokenUsage.NONE : AnthropicUsage.merge(TokenUsage.NONE, json.path("usage"));
    String errorType = status < 400 ? null
        : json == null ? "api_error" : json.path("error").path("type").asText("api_error");
    if (!openAiClient) {
      return new Complete(body, usage, errorType);
    }
    if (status < 400 && json != null) {
      return AnthropicAnswer.of(call, json, body);
    }
    return new Complete(Buffer.buffer(AnthropicToOpenAi.error(status, json).toString()), usage, errorType);
  }
}
