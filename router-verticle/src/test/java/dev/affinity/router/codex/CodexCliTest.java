package dev.affinity.router.codex;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.emulator.CapturedRequest;
import dev.affinity.router.EmulatedGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real OpenAI Codex CLI through the gateway on the Responses API, on an alias of two OpenAI deployments (two
 * accounts or organisations of one model), on an alias of two Claude deployments and on one of two AWS accounts'
 * Claude on Bedrock (both bridged over Chat Completions, with LiteLLM's {@code drop_params} for the built-in tools
 * Claude cannot take and injected cache markers, since Codex sends none): Codex runs its own tool loop (the model calls {@code exec_command}, by the emulator's tool directive;
 * Codex runs the command and sends its output back), and a resumed thread's next turn goes on on the same
 * deployment, every request after the first reading the prompt cache. Codex sends OpenAI's built-in and namespaced
 * tools beside its functions, {@code store: false} and its session as {@code prompt_cache_key}.
 */
class CodexCliTest {

  private static final String KEY = "sk-affinity-codex";
  private static final String SECRET = "PELICAN-42";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String AWS_KEY_ID = "AKIACODEXACCOUNT0000";
  private static final String AWS_SECRET = "codexAccountSecretKey/000000000000000000";

  private static EmulatedGateway upstream;

  @BeforeAll
  static void start() throws Exception {
    upstream = EmulatedGateway.start(KEY, Map.of("cx-1", "sk-cx-1", "cx-2", "sk-cx-2", "cl-1", "sk-cl-1",
        "cl-2", "sk-cl-2"), options -> options.addAwsAccount("aws-1", AWS_KEY_ID + 1, AWS_SECRET + 1)
        .addAwsAccount("aws-2", AWS_KEY_ID + 2, AWS_SECRET + 2), emulator -> {
          StringBuilder deployments = new StringBuilder();
          for (int i = 1; i <= 2; i++) {
            deployments.append("""
                  - model_name: gpt-5-codex
                    litellm_params: {model: openai/gpt-5-codex, api_key: sk-cx-%1$d, api_base: "%2$s/v1"}
                    model_info: {id: cx-%1$d}
                  - model_name: claude-sonnet-4-5
                    litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-cl-%1$d, api_base: "%2$s",
                                     drop_params: true, cache_control_injection_points: [
                                       {location: message, role: system}, {location: message, index: -1}]}
                    model_info: {id: cl-%1$d}
                  - model_name: claude-on-bedrock
                    litellm_params: {model: bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0,
                                     aws_access_key_id: %3$s%1$d, aws_secret_access_key: %4$s%1$d,
                                     aws_region_name: us-west-2, aws_bedrock_runtime_endpoint: "%2$s",
                                     drop_params: true, cache_control_injection_points: [
                                       {location: message, role: system}, {location: message, index: -1}]}
                    model_info: {id: aws-%1$d}
                """.formatted(i, emulator, AWS_KEY_ID, AWS_SECRET));
          }
          return deployments.toString();
        });
  }

  @AfterAll
  static void stop() throws Exception {
    if (upstream != null) {
      upstream.close();
    }
  }

  /**
   * With a reasoning effort the model answers with reasoning items first (encrypted content included, as Codex
   * asks); Codex hands them back in its whole-conversation requests, and they stay on the prefix the cache holds.
   */
  @Test
  void onOpenAiDeployments() throws Exception {
    List<CapturedRequest> sent = runsItsToolLoopAndResumesItsThreadOnOneDeployment(CodexCli.installed(
        upstream.baseUrl() + "/v1", "gpt-5-codex", "model_reasoning_effort = \"medium\""),
        List.of("cx-1", "cx-2"), "/v1/responses");
    JsonNode afterTheCommand = JSON.readTree(sent.get(1).body());
    assertThat(afterTheCommand.path("input").findValues("type")).extracting(JsonNode::asText)
        .as("the reasoning item handed back").contains("reasoning");
    assertThat(afterTheCommand.path("input").findValuesAsText("encrypted_content")).isNotEmpty();
  }

  /**
   * With a reasoning effort Claude thinks: its thinking reaches Codex as reasoning items, and Codex hands them back,
   * so the request after the command still thinks, its tool-calling turn starting with Claude's signed block.
   */
  @Test
  void onClaudeDeployments() throws Exception {
    List<CapturedRequest> sent = runsItsToolLoopAndResumesItsThreadOnOneDeployment(CodexCli.installed(
        upstream.baseUrl() + "/v1", "claude-sonnet-4-5", "model_reasoning_effort = \"medium\""),
        List.of("cl-1", "cl-2"), "/v1/messages");
    keepsThinkingThroughItsToolLoop(sent);
  }

  /** The same on Claude on Bedrock: the Responses API over Chat Completions, then Bedrock's signed InvokeModel. */
  @Test
  void onBedrockDeployments() throws Exception {
    List<CapturedRequest> sent = runsItsToolLoopAndResumesItsThreadOnOneDeployment(CodexCli.installed(
        upstream.baseUrl() + "/v1", "claude-on-bedrock", "model_reasoning_effort = \"medium\""),
        List.of("aws-1", "aws-2"), "/model/");
    keepsThinkingThroughItsToolLoop(sent);
  }

  /** The Messages request after the command still thinks, its tool-calling turn starting with Claude's block. */
  private static void keepsThinkingThroughItsToolLoop(List<CapturedRequest> sent) throws Exception {
    JsonNode afterTheCommand = JSON.readTree(sent.get(1).body());
    assertThat(afterTheCommand.at("/thinking/type").asText()).as("still thinking: " + afterTheCommand)
        .isEqualTo("enabled");
    JsonNode messages = afterTheCommand.path("messages");
    assertThat(messages.get(messages.size() - 2).at("/content/0/type").asText())
        .as("the tool-calling turn starts with the thinking Codex handed back").isEqualTo("thinking");
  }

  private List<CapturedRequest> runsItsToolLoopAndResumesItsThreadOnOneDeployment(CodexCli codex,
      List<String> accounts, String path) throws Exception {
    Files.writeString(codex.workdir().resolve("notes.txt"), "The secret word is " + SECRET + ".\n");
    CodexCli.Result first = codex.exec(KEY, "What is in notes.txt?"
        + " [[emulator:tool exec_command {\"cmd\": \"cat notes.txt\"}]]");
    assertThat(first.exit()).as(first.toString()).isZero();
    List<JsonNode> commands = first.completed("command_execution");
    assertThat(commands).as("Codex ran the command the model called: " + first).hasSize(1);
    assertThat(commands.get(0).path("aggregated_output").asText()).contains(SECRET);
    assertThat(first.completed("agent_message")).as("the model's answer after the command's output").hasSize(1);
    assertThat(first.completed("reasoning")).as("the model's reasoning, shown: " + first).isNotEmpty();
    assertThat(first.usage().path("cached_input_tokens").asLong())
        .as("the request after the command reads the prompt the first wrote: " + first).isPositive();

    CodexCli.Result next = codex.resume(KEY, "Thanks. One more line, please.");
    assertThat(next.exit()).as(next.toString()).isZero();
    assertThat(next.completed("agent_message")).hasSize(1);
    assertThat(next.usage().path("cached_input_tokens").asLong()).as("the resumed thread reads its cache: " + next)
        .isPositive();

    List<CapturedRequest> one = upstream.emulator().capturedRequests(accounts.get(0));
    List<CapturedRequest> other = upstream.emulator().capturedRequests(accounts.get(1));
    List<CapturedRequest> sent = one.isEmpty() ? other : one;
    assertThat(one.isEmpty() || other.isEmpty()).as("every request of the thread on one deployment: "
        + one.size() + " and " + other.size()).isTrue();
    assertThat(sent).as("the command's call, the answer after it, the resumed turn").hasSize(3)
        .allSatisfy(request -> assertThat(request.uri()).startsWith(path));
    assertThat(sent.get(0).body()).doesNotContain(SECRET);
    assertThat(sent.get(1).body()).as("the command's output went back as the function call's output")
        .contains(SECRET);
    return sent;
  }
}
