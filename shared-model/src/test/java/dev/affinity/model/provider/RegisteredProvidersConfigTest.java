package dev.affinity.model.provider;

import dev.affinity.model.config.ConfigException;
import dev.affinity.model.config.ConfigLoader;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.GatewayConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The configuration loader knows no provider: whatever is registered is what it serves. Here only
 * {@link PlainProvider} is (shared-model's test resources), and the loader places, reads and names deployments
 * through it alone.
 */
class RegisteredProvidersConfigTest {

  @Test
  void aRegisteredPrefixBareIdOrClaimingKeyPlacesTheDeploymentWithItsProvider() throws Exception {
    GatewayConfig config = ConfigLoader.parse("""
        model_list:
          - model_name: a
            litellm_params: {model: plain/m-1, api_key: k, plain_region: north}
          - model_name: b
            litellm_params: {model: plain_too/m-2, api_key: k, plain_region: north}
          - model_name: c
            litellm_params: {model: plain-bare, api_key: k, plain_region: south}
          - model_name: d
            litellm_params: {model: any.model.id, api_key: k, plain_region: east}
        """, Map.of());

    assertThat(config.deployments()).extracting(Deployment::model)
        .containsExactly("m-1", "m-2", "plain-bare", "any.model.id");
    Deployment first = config.deployments().get(0);
    assertThat(first.settings(PlainProvider.PlainSettings.class).region()).isEqualTo("north");
    assertThat(first.registration()).isInstanceOf(PlainProvider.class);
    assertThat(first.cacheScope()).isEqualTo("plain@north");
    assertThat(first.litellmModel()).isEqualTo("plain/m-1");
    assertThat(first.id()).startsWith("dep-");
    assertThat(config.warnings()).isEmpty();
  }

  @Test
  void theProvidersSettingsTakePartInTheDerivedId() throws Exception {
    String entry = """
        model_list:
          - model_name: a
            litellm_params: {model: plain/m-1, api_key: k, plain_region: %s}
        """;
    String north = ConfigLoader.parse(entry.formatted("north"), Map.of()).deployments().get(0).id();
    String south = ConfigLoader.parse(entry.formatted("south"), Map.of()).deployments().get(0).id();
    assertThat(north).isNotEqualTo(south);
  }

  @Test
  void unservedEntriesAreSkippedWithTheProvidersReasonAndTheRegisteredPrefixes() throws Exception {
    GatewayConfig config = ConfigLoader.parse("""
        model_list:
          - model_name: ok
            litellm_params: {model: plain/m-1, api_key: k, plain_region: north}
          - model_name: legacy
            litellm_params: {model: plain_legacy/m-1, api_key: k}
          - model_name: other
            litellm_params: {model: anthropic/claude-x, api_key: k}
          - model_name: picture
            litellm_params: {model: plain/image-1, api_key: k, plain_region: north}
        """, Map.of());

    assertThat(config.deployments()).hasSize(1);
    assertThat(config.warnings()).containsExactly(
        "model_list[1]: deployment 'legacy' skipped: plain_legacy/ is retired (use plain/)"
            + " (supported: plain, plain_too)",
        "model_list[2]: deployment 'other' skipped: provider 'anthropic/' is not supported by Affinity"
            + " (supported: plain, plain_too)",
        "model_list[3]: deployment 'picture' skipped: 'image-1' is not a chat model");
  }

  @Test
  void theProvidersProblemsNameTheirExactPath() {
    assertThatThrownBy(() -> ConfigLoader.parse("""
        model_list:
          - model_name: a
            litellm_params: {model: plain/m-1, api_base: "not a url"}
        """, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("model_list[0].litellm_params.api_base: must be an http(s) URL")
        .hasMessageContaining("model_list[0].litellm_params.plain_region: required")
        .hasMessageContaining("model_list[0].litellm_params.api_key: required (or set environment variable"
            + " PLAIN_API_KEY)");
  }

  @Test
  void theRegistryFindsAProviderByAnyOfItsPrefixes() {
    assertThat(Providers.forPrefix("anthropic")).isEmpty();
    assertThat(Providers.forPrefix("plain_too")).containsSame(Providers.named("plain"));
    assertThat(Providers.supportedPrefixes()).isEqualTo("plain, plain_too");
  }
}
