package dev.affinity.model.provider;

import java.util.List;

/**
 * What a deployment's provider needs to know about it beyond endpoint and key: a record of the provider's own
 * package ({@code AwsSettings}, {@code VertexSettings}...). A caller asks a deployment for its own provider's type
 * ({@link dev.affinity.model.config.Deployment#settings(Class)}).
 */
public interface ProviderSettings {

  /** The {@link Provider#name()} of the provider these settings are for. */
  String providerName();

  /**
   * The provider as written in the derived deployment id ({@code provider/model}) and in {@code /model/info}:
   * changing it renames the provider's deployments, so it keeps the form ids were first derived in.
   */
  String litellmPrefix();

  /**
   * Non-secret fields besides alias, model, endpoint and scope that say where requests go, appended to the derived
   * deployment id (a Bedrock region); empty for most.
   */
  default List<String> idFields() {
    return List.of();
  }

  /** The cache scope of a deployment that sets none: its own id unless the provider's cache is wider. */
  default String defaultCacheScope(String deploymentId) {
    return deploymentId;
  }
}
