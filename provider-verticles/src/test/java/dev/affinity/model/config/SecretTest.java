package dev.affinity.model.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretTest {

  static final String KEY = "sk-ant-api03-do-not-print-me";

  @Test
  void toStringHidesTheValue() {
    Secret secret = new Secret(KEY);

    assertThat(secret.toString()).isEqualTo("Secret[****]");
    assertThat(new GeneralSettings(secret, 1).toString()).doesNotContain(KEY).contains("Secret[****]");
  }

  @Test
  void fingerprintTellsSecretsApartWithoutRevealingThem() {
    String fingerprint = new Secret(KEY).fingerprint();

    assertThat(fingerprint).matches("sha256:[0-9a-f]{8}").doesNotContain(KEY);
    assertThat(new Secret(KEY).fingerprint()).isEqualTo(fingerprint);
    assertThat(new Secret(KEY + "x").fingerprint()).isNotEqualTo(fingerprint);
  }

  @Test
  void aLoadedConfigurationNeitherPrintsNorSerialisesItsKeys() throws Exception {
    GatewayConfig config = ConfigLoader.parse("""
        model_list:
          - model_name: claude-sonnet-4-5
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: os.environ/KEY}
        general_settings: {master_key: %s-master}
        """.formatted(KEY), Map.of("KEY", KEY));

    assertThat(config.toString()).doesNotContain(KEY);
    ObjectMapper json = new ObjectMapper();
    assertThat(json.writeValueAsString(config.general())).doesNotContain(KEY).contains("Secret[****]");
    assertThat(json.writeValueAsString(Map.of("key", config.deployments().get(0).apiKey())))
        .isEqualTo("{\"key\":\"Secret[****]\"}");
  }
}
