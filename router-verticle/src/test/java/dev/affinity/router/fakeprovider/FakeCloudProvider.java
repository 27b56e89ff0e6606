package dev.affinity.router.fakeprovider;

import dev.affinity.model.provider.UpstreamCalls;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.ProviderKind;
import dev.affinity.model.config.Section;
import dev.affinity.model.provider.CacheBehaviour;
import dev.affinity.model.provider.Provider;
import dev.affinity.model.provider.ProviderEndpoint;
import dev.affinity.model.provider.UpstreamModel;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A provider that exists only in tests, registered in {@code META-INF/services} of the router's test resources: it
 * speaks the Messages API, is written {@code fakecloud/<model>}, needs a {@code fakecloud_tenant}, and caches by
 * itself (no markers) from {@value #MINIMUM_TOKENS} tokens over the conversation. Nothing outside this package names
 * it.
 */
public final class FakeCloudProvider implements Provider {

  static final String NAME = "fakecloud";
  static final String TENANT_KEY = "fakecloud_tenant";
  static final int MINIMUM_TOKENS = 64;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public ProviderKind api() {
    return ProviderKind.ANTHROPIC;
  }


  @Override
  public Map<String, String> ownKeys() {
    return Map.of(TENANT_KEY, "FakeCloud");
  }

  @Override
  public Optional<UpstreamModel> model(Section params, String prefix, String id) {
    return Optional.of(id.startsWith("fc-") ? UpstreamModel.of(id)
        : UpstreamModel.unservable("FakeCloud serves fc-* models only"));
  }

  @Override
  public Optional<ProviderEndpoint> endpoint(Section params, String prefix, String model) {
    int before = params.problemCount();
    Optional<String> base = params.url("api_base", "http://127.0.0.1:8080");
    if (!params.has("api_base")) {
      params.problem("api_base", "required for fakecloud/ deployments");
    }
    Optional<String> tenant = params.string(TENANT_KEY);
    if (!params.has(TENANT_KEY)) {
      params.problem(TENANT_KEY, "required: the FakeCloud tenant to call as");
    }
    var key = params.apiKey(List.of("FAKECLOUD_API_KEY"), false);
    if (params.problemCount() > before) {
      return Optional.empty();
    }
    return Optional.of(new ProviderEndpoint(base.orElseThrow(), key.orElseThrow(),
        new FakeCloudSettings(tenant.orElseThrow())));
  }

  @Override
  public CacheBehaviour cache(Deployment deployment, String upstreamModel) {
    return new CacheBehaviour(CacheBehaviour.Caching.AUTOMATIC, CacheBehaviour.PromptLayout.CONVERSATION,
        MINIMUM_TOKENS);
  }

  @Override
  public UpstreamCalls verticle() {
    return new FakeCloudVerticle();
  }
}
