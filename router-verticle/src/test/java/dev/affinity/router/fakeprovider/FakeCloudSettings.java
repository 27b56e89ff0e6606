package dev.affinity.router.fakeprovider;

import dev.affinity.model.provider.ProviderSettings;

import java.util.List;

/** A FakeCloud deployment's own setting: the tenant it calls as, sent in a header. */
public record FakeCloudSettings(String tenant) implements ProviderSettings {

  @Override
  public String providerName() {
    return FakeCloudProvider.NAME;
  }

  @Override
  public String litellmPrefix() {
    return FakeCloudProvider.NAME;
  }

  @Override
  public List<String> idFields() {
    return List.of(tenant);
  }

  /** A tenant's cache is shared by its deployments. */
  @Override
  public String defaultCacheScope(String deploymentId) {
    return "fakecloud:" + tenant;
  }
}
