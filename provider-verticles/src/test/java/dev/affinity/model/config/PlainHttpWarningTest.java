package dev.affinity.model.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 12 finding 10: an http:// api_base on a public host sent the deployment's key in clear without a word. */
class PlainHttpWarningTest {

  private static GatewayConfig withBase(String base) throws ConfigException {
    return ConfigLoader.parse("""
        model_list:
          - model_name: m
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-x, api_base: "%s"}
        """.formatted(base), Map.of());
  }

  @Test
  void plainHttpToAPublicHostIsWarnedAbout() throws Exception {
    assertThat(withBase("http://api.example.com").warnings())
        .anyMatch(w -> w.contains("model_list[0].litellm_params.api_base") && w.contains("in clear"));
    assertThat(withBase("http://203.0.113.7:8000").warnings()).anyMatch(w -> w.contains("in clear"));
  }

  @Test
  void httpsAndLocalOrPrivateHostsAreNot() throws Exception {
    for (String base : new String[] {"https://api.example.com", "http://127.0.0.1:9", "http://localhost:8000",
        "http://10.1.2.3", "http://192.168.0.5:8000", "http://172.20.0.2", "http://vllm:8000",
        "http://vllm.default.svc.cluster.local:8000", "http://[::1]:8000"}) {
      assertThat(withBase(base).warnings()).as(base).noneMatch(w -> w.contains("in clear"));
    }
  }
}
