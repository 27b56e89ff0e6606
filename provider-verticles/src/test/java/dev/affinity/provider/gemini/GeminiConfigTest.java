package dev.affinity.provider.gemini;

import dev.affinity.model.config.ConfigException;
import dev.affinity.model.config.ConfigLoader;
import dev.affinity.model.config.ConfigProblem;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.GatewayConfig;
import dev.affinity.model.config.ProviderKind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Map;
import org.junit.jupiter.api.Test;

class GeminiConfigTest {

  private static final String TWO_KEYS = """
      model_list:
      - model_name: flash
        litellm_params:
          model: gemini/gemini-2.5-flash
          api_key: os.environ/GEMINI_KEY_ONE
      - model_name: flash
        litellm_params:
          model: gemini/gemini-2.5-flash
          api_key: literal-key-two
          api_base: http://127.0.0.1:9100/
      """;

  @Test
  void loadsGeminiDeploymentsWithTheirKeysAndEndpoints() throws Exception {
    GatewayConfig config = ConfigLoader.parse(TWO_KEYS, Map.of("GEMINI_KEY_ONE", "key-one"));

    Deployment one = config.deployments().get(0);
    Deployment two = config.deployments().get(1);
    assertThat(one.provider()).isEqualTo(ProviderKind.GEMINI);
    assertThat(one.model()).isEqualTo("gemini-2.5-flash");
    assertThat(one.apiKey().value()).isEqualTo("key-one");
    assertThat(one.apiBase()).isEqualTo("https://generativelanguage.googleapis.com");
    assertThat(two.apiKey().value()).isEqualTo("literal-key-two");
    assertThat(two.apiBase()).isEqualTo("http://127.0.0.1:9100");
    assertThat(one.id()).isNotEqualTo(two.id());
  }

  @Test
  void withoutAKeyTheGeminiVariableIsUsedAndRequired() throws Exception {
    String yaml = """
        model_list:
        - model_name: flash
          litellm_params:
            model: gemini/gemini-2.5-flash
        """;

    assertThat(ConfigLoader.parse(yaml, Map.of("GEMINI_API_KEY", "from-env")).deployments().get(0).apiKey().value())
        .isEqualTo("from-env");
    ConfigException failure = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(yaml, Map.of()));
    assertThat(failure.problems()).extracting(ConfigProblem::toString)
        .containsExactly("model_list[0].litellm_params.api_key: required (or set environment variable GEMINI_API_KEY)");
  }
}
