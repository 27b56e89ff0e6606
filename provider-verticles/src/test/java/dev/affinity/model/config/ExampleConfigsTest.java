package dev.affinity.model.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The files shipped in {@code examples/} and the example in the documentation must load: they are what people copy. */
class ExampleConfigsTest {

  static final Path EXAMPLES = Path.of("..", "examples");

  @Test
  void anthropicExampleLoads() throws Exception {
    GatewayConfig config = ConfigLoader.load(EXAMPLES.resolve("config.yaml"), Map.of(
        "ANTHROPIC_API_KEY_1", "k1", "ANTHROPIC_API_KEY_2", "k2", "ANTHROPIC_API_KEY_3", "k3",
        "AFFINITY_MASTER_KEY", "m"));

    assertThat(config.warnings()).isEmpty();
    assertThat(config.deploymentsFor("claude-sonnet-4-5")).hasSize(3)
        .extracting(d -> d.apiKey().value()).containsExactly("k1", "k2", "k3");
    assertThat(config.router().promptCaching()).isTrue();
  }

  @Test
  void emulatorExampleLoads() throws Exception {
    GatewayConfig config = ConfigLoader.load(EXAMPLES.resolve("emulator-config.yaml"), Map.of());

    assertThat(config.warnings()).isEmpty();
    assertThat(config.deploymentsFor("claude-sonnet-4-5")).hasSize(3)
        .allSatisfy(d -> assertThat(d.apiBase()).isEqualTo("http://127.0.0.1:9100"))
        .extracting(d -> d.apiKey().value()).containsExactly("sk-emu-1", "sk-emu-2", "sk-emu-3");
    assertThat(config.general().masterKey()).isEqualTo(new Secret("sk-affinity-demo"));
  }

  /** What Claude Code asks for when started without --model: dated Sonnet ids, and Haiku for background work. */
  static final java.util.List<String> CLAUDE_CODE_DEFAULTS = java.util.List.of("claude-sonnet-4-5-20250929",
      "claude-haiku-4-5-20251001", "claude-3-5-haiku-20241022", "claude-opus-4-1-20250805");

  @Test
  void bothExamplesServeTheModelsClaudeCodeAsksForByDefault() throws Exception {
    for (GatewayConfig config : java.util.List.of(
        ConfigLoader.load(EXAMPLES.resolve("config.yaml"), Map.of("ANTHROPIC_API_KEY_1", "k1",
            "ANTHROPIC_API_KEY_2", "k2", "ANTHROPIC_API_KEY_3", "k3", "AFFINITY_MASTER_KEY", "m")),
        ConfigLoader.load(EXAMPLES.resolve("emulator-config.yaml"), Map.of()))) {
      for (String id : CLAUDE_CODE_DEFAULTS) {
        assertThat(config.deploymentsFor(id)).as(id).hasSize(3)
            .allSatisfy(d -> assertThat(d.upstreamModel(id)).isEqualTo(id));
      }
    }
  }

  @Test
  void documentedExampleLoads() throws Exception {
    String doc = Files.readString(Path.of("..", "docs", "configuration.md"));
    int start = doc.indexOf("```yaml\n") + "```yaml\n".length();
    String yaml = doc.substring(start, doc.indexOf("```", start));

    GatewayConfig config = ConfigLoader.parse(yaml, Map.of(
        "ANTHROPIC_KEY_1", "k1", "ANTHROPIC_KEY_2", "k2", "AFFINITY_MASTER_KEY", "m"));

    assertThat(config.warnings()).isEmpty();
    assertThat(config.deploymentsFor("claude-sonnet-4-5")).hasSize(2);
    assertThat(config.deploymentsFor("claude-opus-4-1")).singleElement()
        .satisfies(d -> assertThat(d.upstreamModel("claude-opus-4-1")).isEqualTo("claude-opus-4-1"));
  }
}
