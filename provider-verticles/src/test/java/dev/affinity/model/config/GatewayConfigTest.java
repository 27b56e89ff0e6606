package dev.affinity.model.config;

import static dev.affinity.model.config.ConfigLoaderTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class GatewayConfigTest {

  static final String YAML = """
      model_list:
        - model_name: claude-sonnet-4-5
          litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: k1}
          model_info: {id: exact-1}
        - model_name: claude-*
          litellm_params: {model: anthropic/claude-*, api_key: k2}
          model_info: {id: claude-family}
        - model_name: "*"
          litellm_params: {model: anthropic/*, api_key: k3}
          model_info: {id: catch-all}
        - model_name: claude-sonnet-4-5
          litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: k4}
          model_info: {id: exact-2}
        - model_name: claude-sonnet-*
          litellm_params: {model: anthropic/claude-sonnet-4-5-20250929, api_key: k5}
          model_info: {id: sonnet-family}
        - model_name: anthropic/*
          litellm_params: {model: anthropic/*, api_key: k6}
          model_info: {id: prefixed}
      """;

  static List<String> idsFor(GatewayConfig config, String requested) {
    return config.deploymentsFor(requested).stream().map(Deployment::id).toList();
  }

  @Test
  void exactAliasFirstThenTheMostSpecificWildcard() throws Exception {
    GatewayConfig config = parse(YAML);

    assertThat(idsFor(config, "claude-sonnet-4-5")).containsExactly("exact-1", "exact-2");
    assertThat(idsFor(config, "claude-sonnet-4-0")).containsExactly("sonnet-family");
    assertThat(idsFor(config, "claude-opus-4-1")).containsExactly("claude-family");
    assertThat(idsFor(config, "anthropic/claude-opus-4-1")).containsExactly("prefixed");
    assertThat(idsFor(config, "gpt-4o")).containsExactly("catch-all");
  }

  @Test
  void nothingMatchesWithoutACatchAll() throws Exception {
    GatewayConfig config = parse(ConfigLoaderTest.MINIMAL);

    assertThat(config.deploymentsFor("claude-opus-4-1")).isEmpty();
    assertThat(config.deploymentsFor("claude-sonnet-4-5")).hasSize(1);
  }

  @Test
  void upstreamModelSubstitutesTheWildcardPart() throws Exception {
    GatewayConfig config = parse(YAML);

    assertThat(only(config, "claude-opus-4-1").upstreamModel("claude-opus-4-1")).isEqualTo("claude-opus-4-1");
    assertThat(only(config, "gpt-4o").upstreamModel("gpt-4o")).isEqualTo("gpt-4o");
    assertThat(only(config, "anthropic/claude-opus-4-1").upstreamModel("anthropic/claude-opus-4-1"))
        .isEqualTo("claude-opus-4-1");
    assertThat(only(config, "claude-sonnet-4-0").upstreamModel("claude-sonnet-4-0"))
        .as("a fixed model behind a wildcard alias").isEqualTo("claude-sonnet-4-5-20250929");
    assertThat(config.deploymentsFor("claude-sonnet-4-5").get(0).upstreamModel("claude-sonnet-4-5"))
        .isEqualTo("claude-sonnet-4-5");
  }

  @Test
  void substitutionKeepsTheLiteralPartsOfTheModel() throws Exception {
    Deployment deployment = parse("""
        model_list:
          - model_name: sonnet-*
            litellm_params: {model: anthropic/claude-sonnet-*, api_key: k}
        """).deployments().get(0);

    assertThat(deployment.upstreamModel("sonnet-4-5")).isEqualTo("claude-sonnet-4-5");
    assertThat(deployment.wildcard()).isTrue();
  }

  @Test
  void aliasesAreListedOnceInFileOrder() throws Exception {
    assertThat(parse(YAML).aliases())
        .containsExactly("claude-sonnet-4-5", "claude-*", "*", "claude-sonnet-*", "anthropic/*");
  }

  @Test
  void findsADeploymentById() throws Exception {
    GatewayConfig config = parse(YAML);

    assertThat(config.deployment("exact-2")).map(Deployment::alias).contains("claude-sonnet-4-5");
    assertThat(config.deployment("nope")).isEmpty();
  }

  private static Deployment only(GatewayConfig config, String requested) {
    List<Deployment> deployments = config.deploymentsFor(requested);
    assertThat(deployments).hasSize(1);
    return deployments.get(0);
  }
}
