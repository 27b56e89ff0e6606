package dev.affinity.router.claudecode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.router.LogCapture;
import dev.affinity.router.TestGateway;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real Claude Code in its cloud modes with no model set, against a gateway whose aliases are Anthropic's undated
 * names ({@code claude-sonnet-4-5}), as a LiteLLM file often has them: Claude Code lists the inference profiles
 * ({@code GET /inference-profiles}), picks the ids of what the gateway serves from the list, and its turn is
 * answered. Before the gateway listed profiles and knew an alias by the snapshot its deployments send, Claude Code
 * guessed {@code us.anthropic.claude-sonnet-4-5-20250929-v1:0}, which named no alias, and gave up: "not available on
 * your bedrock deployment"; in Vertex mode its {@code claude-sonnet-4-5@20250929} was a 404 the same way.
 */
class ClaudeCodeCloudDiscoveryTest {

  private static final String KEY = "sk-affinity-bedrock-discovery";
  private static final String SONNET = "claude-sonnet-4-5-20250929";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ClaudeCodeCli claude;
  private static LogCapture logs;
  private static Vertx vertx;
  private static UpstreamEmulator emulator;
  private static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    claude = ClaudeCodeCli.installed();
    logs = LogCapture.install();
    vertx = Vertx.vertx();
    emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions().setLatency(LatencyModel.ZERO)
        .addAccount("anthropic-1", "sk-anthropic-1")));
    gateway = TestGateway.start("""
        general_settings: {master_key: %1$s}
        model_list:
        - model_name: claude-sonnet-4-5
          litellm_params: {model: anthropic/%2$s, api_key: sk-anthropic-1, api_base: "%3$s"}
        - model_name: claude-haiku-4-5
          litellm_params: {model: anthropic/claude-haiku-4-5-20251001, api_key: sk-anthropic-1, api_base: "%3$s"}
        """.formatted(KEY, SONNET, emulator.baseUrl()));
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    if (emulator != null) {
      await(emulator.close());
    }
    if (vertx != null) {
      await(vertx.close());
    }
    if (logs != null) {
      logs.close();
    }
  }

  @Test
  void claudeCodeFindsTheModelsInTheProfileListAndItsTurnIsAnswered() throws Exception {
    ClaudeCodeCli.Result result = claude.prompt(Map.of("CLAUDE_CODE_USE_BEDROCK", "1",
        "ANTHROPIC_BEDROCK_BASE_URL", gateway.baseUrl(), "AWS_BEARER_TOKEN_BEDROCK", KEY, "AWS_REGION", "us-east-1"),
        "Reply with one short sentence.", null);
    assertThat(result.exit()).as(result.toString()).isZero();
    JsonNode answer = result.json();
    assertThat(answer.path("is_error").asBoolean(true)).as(result.toString()).isFalse();
    assertThat(answer.path("result").asText()).isNotBlank();

    List<String> access = logs.lines().stream().filter(line -> line.contains("path=/")).toList();
    assertThat(access).as("the gateway's access log").anySatisfy(line ->
        assertThat(line).contains("method=GET path=/inference-profiles ").contains("status=200"));
    // the turn itself went out under an id from the list, to the snapshot the alias serves
    assertThat(access).anySatisfy(line -> assertThat(line)
        .contains("path=/model/global.anthropic." + SONNET + "-v1:0/invoke-with-response-stream").contains("status=200"));
    assertThat(emulator.capturedRequests("anthropic-1")).anySatisfy(sent ->
        assertThat(JSON.readTree(sent.body()).path("model").asText()).isEqualTo(SONNET));
  }

  /** Vertex's API has no list to ask: its dated id reaches the alias whose deployments send that snapshot. */
  @Test
  void vertexModesDatedIdReachesTheAliasOfThatSnapshot() throws Exception {
    int sentBefore = emulator.capturedRequests("anthropic-1").size();
    ClaudeCodeCli.Result result = claude.prompt(Map.of("CLAUDE_CODE_USE_VERTEX", "1",
        "ANTHROPIC_VERTEX_BASE_URL", gateway.baseUrl() + "/v1", "CLAUDE_CODE_SKIP_VERTEX_AUTH", "1",
        "ANTHROPIC_VERTEX_PROJECT_ID", "affinity-test", "CLOUD_ML_REGION", "us-east5",
        "ANTHROPIC_CUSTOM_HEADERS", "Authorization: Bearer " + KEY), "Reply with one short sentence.", null);
    assertThat(result.exit()).as(result.toString()).isZero();
    assertThat(result.json().path("is_error").asBoolean(true)).as(result.toString()).isFalse();
    assertThat(emulator.capturedRequests("anthropic-1").subList(sentBefore,
        emulator.capturedRequests("anthropic-1").size())).anySatisfy(sent ->
        assertThat(JSON.readTree(sent.body()).path("model").asText()).isEqualTo(SONNET));
  }
}
