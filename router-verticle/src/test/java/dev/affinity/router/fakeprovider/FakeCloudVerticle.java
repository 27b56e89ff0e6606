package dev.affinity.router.fakeprovider;

import dev.affinity.model.ProviderCall;
import dev.affinity.model.TokenUsage;
import dev.affinity.model.config.ProviderKind;
import dev.affinity.provider.ProviderVerticle;
import dev.affinity.provider.SseTap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/** Calls FakeCloud: the Messages body to {@code {api_base}/v1/messages}, as the deployment's tenant. */
final class FakeCloudVerticle extends ProviderVerticle {

  static final String TENANT_HEADER = "x-fakecloud-tenant";

  @Override
  protected ProviderKind kind() {
    return ProviderKind.ANTHROPIC;
  }

  @Override
  protected String providerName() {
    return FakeCloudProvider.NAME;
  }

  @Override
  protected RequestOptions request(ProviderCall call) {
    return new RequestOptions().setMethod(HttpMethod.POST)
        .setAbsoluteURI(call.deployment().apiBase() + "/v1/messages")
        .putHeader("content-type", "application/json")
        .putHeader("x-api-key", call.deployment().apiKey().value())
        .putHeader(TENANT_HEADER, call.deployment().settings(FakeCloudSettings.class).tenant());
  }

  @Override
  protected boolean relayed(String header) {
    return header.startsWith("x-fakecloud-");
  }

  @Override
  protected SseTap streamTap(ProviderCall call) {
    return new SseTap() {
      @Override
      protected void onData(String event, String data) {
      }

      @Override
      public TokenUsage usage() {
        return TokenUsage.NONE;
      }

      @Override
      public String errorType() {
        return null;
      }
    };
  }

  @Override
  protected Complete complete(ProviderCall call, int status, Buffer body) {
    JsonObject usage;
    try {
      usage = new JsonObject(body).getJsonObject("usage", new JsonObject());
    } catch (DecodeException | ClassCastException notJson) {
      usage = new JsonObject();
    }
    TokenUsage tokens = new TokenUsage(usage.getLong("input_tokens", 0L), 0, 0, 0,
        usage.getLong("cache_read_input_tokens", 0L), usage.getLong("output_tokens", 0L));
    return new Complete(body, tokens, status < 400 ? null : "api_error");
  }
}
