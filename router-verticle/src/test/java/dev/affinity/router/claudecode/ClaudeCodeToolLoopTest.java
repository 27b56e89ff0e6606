package dev.affinity.router.claudecode;

import com.fasterxml.jackson.databind.JsonNode;
import dev.affinity.emulator.CapturedRequest;
import dev.affinity.router.EmulatedGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real Claude Code running its own tool loop through the gateway, as an agent does all day: the model calls
 * {@code Read} (the emulator's tool directive, docs/emulator.md), Claude Code reads the file and sends its content back
 * as a tool result, and the model answers. Both requests of the loop go to one deployment, the second reading the
 * prompt the first wrote, on Anthropic deployments and on OpenAI-compatible ones (where the tool call and its result
 * cross the translation both ways).
 */
class ClaudeCodeToolLoopTest {

  private static final String KEY = "sk-affinity-claude-code-tools";
  private static final String SECRET = "PELICAN-42";

  private static ClaudeCodeCli claude;
  private static EmulatedGateway upstream;

  @BeforeAll
  static void start() throws Exception {
    claude = ClaudeCodeCli.installed();
    upstream = EmulatedGateway.start(KEY, Map.of("an-1", "sk-an-1", "an-2", "sk-an-2", "oa-1", "sk-oa-1",
        "oa-2", "sk-oa-2"), emulator -> """
          - model_name: claude-sonnet-4-5
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-an-1, api_base: "%1$s"}
            model_info: {id: an-1}
          - model_name: claude-sonnet-4-5
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-an-2, api_base: "%1$s"}
            model_info: {id: an-2}
          - model_name: qwen-coder
            litellm_params: {model: hosted_vllm/Qwen/Qwen3-Coder, api_key: sk-oa-1, api_base: "%1$s/v1"}
            model_info: {id: oa-1}
          - model_name: qwen-coder
            litellm_params: {model: hosted_vllm/Qwen/Qwen3-Coder, api_key: sk-oa-2, api_base: "%1$s/v1"}
            model_info: {id: oa-2}
        """.formatted(emulator));
    Files.writeString(claude.workdir().resolve("notes.txt"), "The secret word is " + SECRET + ".\n");
  }

  @AfterAll
  static void stop() throws Exception {
    if (upstream != null) {
      upstream.close();
    }
  }

  @Test
  void onAnthropicDeployments() throws Exception {
    runsTheLoopOnOneDeployment("claude-sonnet-4-5", List.of("an-1", "an-2"));
  }

  @Test
  void onOpenAiCompatibleDeployments() throws Exception {
    runsTheLoopOnOneDeployment("qwen-coder", List.of("oa-1", "oa-2"));
  }

  private void runsTheLoopOnOneDeployment(String alias, List<String> accounts) throws Exception {
    Path notes = claude.workdir().resolve("notes.txt").toRealPath();
    Map<String, String> environment = Map.of("ANTHROPIC_BASE_URL", upstream.baseUrl(), "ANTHROPIC_API_KEY", KEY,
        "ANTHROPIC_MODEL", alias, "ANTHROPIC_SMALL_FAST_MODEL", alias, "ANTHROPIC_DEFAULT_HAIKU_MODEL", alias);
    ClaudeCodeCli.Result result = claude.withTools(environment, "What is the secret word in notes.txt?"
        + " [[emulator:tool Read {\"file_path\": \"" + notes + "\"}]]", "Read", 4);

    assertThat(result.exit()).as(result.toString()).isZero();
    JsonNode answer = result.json();
    assertThat(answer.path("is_error").asBoolean(true)).as(result.toString()).isFalse();
    assertThat(answer.path("num_turns").asInt()).as("a tool call and the answer after it: " + result).isEqualTo(2);
    assertThat(answer.path("result").asText()).isNotBlank();

    List<CapturedRequest> first = upstream.emulator().capturedRequests(accounts.get(0));
    List<CapturedRequest> second = upstream.emulator().capturedRequests(accounts.get(1));
    List<CapturedRequest> sent = first.isEmpty() ? second : first;
    assertThat(first.isEmpty() || second.isEmpty()).as("both requests of the loop on one deployment: "
        + first.size() + " and " + second.size()).isTrue();
    assertThat(sent).as("the model's turn that calls Read, and the one after it").hasSize(2);
    assertThat(sent.get(0).body()).doesNotContain(SECRET);
    assertThat(sent.get(1).body()).as("the file's content, read by Claude Code, went back as the tool's result")
        .contains(SECRET);
    assertThat(answer.path("usage").path("cache_read_input_tokens").asLong())
        .as("the second request reads the prompt the first wrote: " + result.stdout()).isPositive();
  }
}
