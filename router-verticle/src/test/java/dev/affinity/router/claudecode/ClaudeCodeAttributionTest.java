package dev.affinity.router.claudecode;

import dev.affinity.router.EmulatedGateway;
import dev.affinity.router.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real Claude Code on a virtual key, tagging its calls as a platform team would (LiteLLM's {@code x-litellm-tags}
 * through Claude Code's {@code ANTHROPIC_CUSTOM_HEADERS}): its calls are kept with its user (Claude Code's
 * {@code metadata.user_id}) and the tags, and the spend per tag reads them.
 */
class ClaudeCodeAttributionTest {

  private static final String MASTER = "sk-affinity-claude-code-attribution";

  private static ClaudeCodeCli claude;
  private static EmulatedGateway upstream;

  @BeforeAll
  static void start() throws Exception {
    claude = ClaudeCodeCli.installed();
    upstream = EmulatedGateway.start(MASTER, Map.of("an-1", "sk-an-1"), emulator -> """
          - model_name: claude-sonnet-4-5
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-an-1, api_base: "%s"}
            model_info: {id: an-1}
        """.formatted(emulator));
  }

  @AfterAll
  static void stop() throws Exception {
    if (upstream != null) {
      upstream.close();
    }
  }

  @Test
  void aSessionsCallsAreKeptWithItsUserAndTags() throws Exception {
    TestGateway gateway = upstream.gateway();
    HttpResponse<String> generated = gateway.post("/key/generate", new JsonObject().put("key_alias", "claude-code")
        .encode(), "x-api-key", MASTER, "content-type", "application/json");
    assertThat(generated.statusCode()).as(generated.body()).isEqualTo(200);
    String key = new JsonObject(generated.body()).getString("key");

    ClaudeCodeCli.Result result = claude.prompt(Map.of("ANTHROPIC_BASE_URL", upstream.baseUrl(),
        "ANTHROPIC_API_KEY", key, "ANTHROPIC_MODEL", "claude-sonnet-4-5",
        "ANTHROPIC_SMALL_FAST_MODEL", "claude-sonnet-4-5", "ANTHROPIC_DEFAULT_HAIKU_MODEL", "claude-sonnet-4-5",
        "ANTHROPIC_CUSTOM_HEADERS", "x-litellm-tags: repo:affinity, task:review"), "Reply with one word.", null);
    assertThat(result.exit()).as(result.toString()).isZero();
    String userId = new JsonObject(upstream.emulator().capturedRequests("an-1", 1).get(0).body())
        .getJsonObject("metadata").getString("user_id");
    assertThat(userId).isNotBlank();

    JsonArray rows = TestGateway.eventually(() -> {
      try {
        return new JsonArray(gateway.get("/spend/logs?api_key=" + key, "x-api-key", MASTER).body());
      } catch (Exception failed) {
        throw new IllegalStateException(failed);
      }
    }, found -> !found.isEmpty());
    for (Object each : rows) {
      JsonObject row = (JsonObject) each;
      assertThat(row.getJsonArray("request_tags")).as(row.encode()).containsExactly("repo:affinity", "task:review");
      assertThat(row.getString("end_user")).as("Claude Code's metadata.user_id").isEqualTo(userId);
    }
    JsonObject perTag = new JsonArray(gateway.get("/spend/tags", "x-api-key", MASTER).body()).stream()
        .map(JsonObject.class::cast).filter(tag -> tag.getString("individual_request_tag").equals("repo:affinity"))
        .findFirst().orElseThrow();
    assertThat(perTag.getLong("log_count")).isEqualTo(rows.size());
  }
}
