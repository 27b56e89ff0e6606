package dev.affinity.router.claudecode;

import com.fasterxml.jackson.databind.JsonNode;
import dev.affinity.emulator.AccountCounters;
import dev.affinity.router.EmulatedGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real Claude Code (Anthropic's API, as it speaks by default) on an alias served by two OpenAI-compatible
 * deployments, as a team runs it on self-hosted models: its Messages requests go upstream as Chat Completions, the
 * answers come back as Anthropic's events, and a conversation of three turns stays on the deployment whose automatic
 * prompt cache holds it, reading it from the second turn on. Before, every request was refused with a 400 pointing to
 * {@code /v1/chat/completions}, and then, with the pair, Claude Code's system messages among the turns were.
 */
class ClaudeCodeOnOpenAiTest {

  private static final String KEY = "sk-affinity-claude-code-openai";
  private static final List<String> ACCOUNTS = List.of("oa-1", "oa-2");

  private static ClaudeCodeCli claude;
  private static EmulatedGateway upstream;

  @BeforeAll
  static void start() throws Exception {
    claude = ClaudeCodeCli.installed();
    upstream = EmulatedGateway.start(KEY, Map.of("oa-1", "sk-oa-1", "oa-2", "sk-oa-2"), emulator -> """
          - model_name: qwen-coder
            litellm_params: {model: hosted_vllm/Qwen/Qwen3-Coder, api_key: sk-oa-1, api_base: "%1$s/v1"}
            model_info: {id: oa-1}
          - model_name: qwen-coder
            litellm_params: {model: hosted_vllm/Qwen/Qwen3-Coder, api_key: sk-oa-2, api_base: "%1$s/v1"}
            model_info: {id: oa-2}
        """.formatted(emulator));
  }

  @AfterAll
  static void stop() throws Exception {
    if (upstream != null) {
      upstream.close();
    }
  }

  @Test
  void aConversationStaysOnOneDeploymentAndReadsItsCache() throws Exception {
    Map<String, String> environment = Map.of("ANTHROPIC_BASE_URL", upstream.baseUrl(), "ANTHROPIC_API_KEY", KEY,
        "ANTHROPIC_MODEL", "qwen-coder", "ANTHROPIC_SMALL_FAST_MODEL", "qwen-coder",
        "ANTHROPIC_DEFAULT_HAIKU_MODEL", "qwen-coder");
    claude.converse(environment, 3);
    Map<String, AccountCounters> counters = upstream.emulator().counters();
    long[] reads = ACCOUNTS.stream().mapToLong(account -> counters.get(account).openAiCachedTokens()).toArray();
    assertThat(reads).as("cache reads of " + ACCOUNTS + ": the conversation's turns went to one deployment")
        .satisfiesAnyOf(r -> assertThat(r[0]).isPositive().satisfies(x -> assertThat(r[1]).isZero()),
            r -> assertThat(r[1]).isPositive().satisfies(x -> assertThat(r[0]).isZero()));
    // what went upstream was Chat Completions, Claude Code's system prompt first
    JsonNode sent = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
        upstream.emulator().capturedRequests(reads[0] > 0 ? "oa-1" : "oa-2", 1).get(0).body());
    assertThat(sent.at("/messages/0/role").asText()).isEqualTo("system");
    assertThat(sent.path("stream_options").path("include_usage").asBoolean()).isTrue();
  }
}
