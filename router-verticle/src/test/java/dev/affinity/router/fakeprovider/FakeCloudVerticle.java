package dev.affinity.router.fakeprovider;

import dev.affinity.model.ProviderCall;
import dev.affinity.model.config.ProviderKind;
import dev.affinity.provider.ProviderVerticle;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * Calls FakeCloud: the Messages body to {@code {api_base}/v1/messages}, as the deployment's tenant. It speaks the
 * Messages API, so answers, streams and errors are the translators' of that API.
 */
final class FakeCloudVerticle extends ProviderVerticle {

  static final String TENANT_HEADER = "x-fakecloud-tenant";

  @Override
  protected ProviderKind kind() {
    return ProviderKind.ANTHROPIC;
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
}
