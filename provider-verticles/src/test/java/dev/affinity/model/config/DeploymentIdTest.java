package dev.affinity.model.config;

import static dev.affinity.model.config.ConfigLoaderTest.parse;
import static dev.affinity.model.config.ConfigLoaderTest.problems;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DeploymentIdTest {

  static String entry(String alias, String model, String key, String extra) {
    return """
          - model_name: %s
            litellm_params:
              model: %s
              api_key: %s
        %s""".formatted(alias, model, key, extra.isEmpty() ? "" : "      " + extra + "\n");
  }

  static List<String> ids(String... entries) throws ConfigException {
    return parse("model_list:\n" + String.join("", entries)).deployments().stream().map(Deployment::id).toList();
  }

  static final String SONNET = entry("claude-sonnet-4-5", "anthropic/claude-sonnet-4-5", "sk-ant-1", "");
  static final String HAIKU = entry("claude-haiku-4-5", "anthropic/claude-haiku-4-5", "sk-ant-2", "");
  static final String PROXIED = entry("claude-sonnet-4-5", "anthropic/claude-sonnet-4-5", "sk-ant-3",
      "api_base: https://proxy.example.com");

  @Test
  void derivedIdsAreStableAndDoNotDependOnOrder() throws Exception {
    List<String> ids = ids(SONNET, HAIKU, PROXIED);

    assertThat(ids).doesNotHaveDuplicates().allMatch(id -> id.matches("dep-[0-9a-f]{10}"));
    assertThat(ids(SONNET, HAIKU, PROXIED)).isEqualTo(ids);
    assertThat(ids(PROXIED, SONNET, HAIKU)).containsExactly(ids.get(2), ids.get(0), ids.get(1));
  }

  @Test
  void derivationIsFrozen() throws Exception {
    // Every node and every release must derive the same id, or pins are lost on a rolling upgrade.
    assertThat(ids(SONNET)).containsExactly("dep-18e736a804");
  }

  @Test
  void theKeyIsNotPartOfTheId() throws Exception {
    String rotated = entry("claude-sonnet-4-5", "anthropic/claude-sonnet-4-5", "sk-ant-rotated", "");
    String fromEnv = entry("claude-sonnet-4-5", "anthropic/claude-sonnet-4-5", "os.environ/ANTHROPIC_KEY_1", "");

    assertThat(ids(rotated)).isEqualTo(ids(SONNET)).isEqualTo(ids(fromEnv));
  }

  @Test
  void everyNonSecretFieldIsPartOfTheId() throws Exception {
    String base = ids(SONNET).get(0);

    assertThat(ids(entry("sonnet", "anthropic/claude-sonnet-4-5", "sk-ant-1", ""))).doesNotContain(base);
    assertThat(ids(entry("claude-sonnet-4-5", "anthropic/claude-sonnet-4-0", "sk-ant-1", ""))).doesNotContain(base);
    assertThat(ids(entry("claude-sonnet-4-5", "anthropic/claude-sonnet-4-5", "sk-ant-1",
        "api_base: http://127.0.0.1:9100"))).doesNotContain(base);
    assertThat(ids(entry("claude-sonnet-4-5", "anthropic/claude-sonnet-4-5", "sk-ant-1",
        "cache_scope: team-a"))).doesNotContain(base);
  }

  @Test
  void settingsThatMeanTheSameDeriveTheSameId() throws Exception {
    String explicit = entry("claude-sonnet-4-5", "claude-sonnet-4-5", "sk-ant-1",
        "api_base: https://api.anthropic.com/");

    assertThat(ids(explicit)).isEqualTo(ids(SONNET));
  }

  @Test
  void entriesDifferingOnlyByKeyAreNumberedInFileOrder() throws Exception {
    String second = entry("claude-sonnet-4-5", "anthropic/claude-sonnet-4-5", "sk-ant-2", "");
    String third = entry("claude-sonnet-4-5", "anthropic/claude-sonnet-4-5", "sk-ant-3", "");

    List<String> ids = ids(SONNET, HAIKU, second, third);

    String base = ids.get(0);
    assertThat(ids).containsExactly(base, ids.get(1), base + "-2", base + "-3");
  }

  @Test
  void aGivenIdWinsAndDefaultsTheCacheScope() throws Exception {
    Deployment deployment = parse("model_list:\n" + SONNET + "    model_info: {id: workspace-a}\n")
        .deployments().get(0);

    assertThat(deployment.id()).isEqualTo("workspace-a");
    assertThat(deployment.cacheScope()).isEqualTo("workspace-a");
  }

  @Test
  void aDerivedIdMayNotTakeAGivenOne() throws Exception {
    String derived = ids(SONNET).get(0);

    assertThat(problems("model_list:\n" + SONNET + HAIKU + "    model_info: {id: " + derived + "}\n"))
        .containsExactly("model_list[0]: derived id '" + derived + "' is already the model_info.id of model_list[1];"
            + " give this deployment a model_info.id");
  }
}
