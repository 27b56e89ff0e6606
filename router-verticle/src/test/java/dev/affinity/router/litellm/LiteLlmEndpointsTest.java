package dev.affinity.router.litellm;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.Fault;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.router.TestGateway;
import io.vertx.core.Vertx;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/models/{id}}, LiteLLM's {@code /health}, and every refusal of {@code /v1/chat/completions} in
 * OpenAI's error shape: an OpenAI client never gets an Anthropic-shaped error.
 */
class LiteLlmEndpointsTest {

  private static final String MASTER = "sk-endpoints-master-0001";
  private static final String BEARER = "Bearer " + MASTER;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Vertx vertx;
  private static UpstreamEmulator emulator;
  private static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions().setLatency(LatencyModel.ZERO)
        .addAccount("claude-1", "sk-claude-1").addAccount("claude-2", "sk-claude-2")
        .addAccount("gpt-1", "sk-gpt-1")));
    gateway = TestGateway.start("""
        general_settings: {master_key: %2$s, max_request_size_mb: 0.01}
        model_list:
          - model_name: claude-*
            litellm_params: {model: anthropic/claude-*, api_key: sk-claude-1, api_base: "%1$s"}
            model_info: {id: claude-1}
          - model_name: claude-*
            litellm_params: {model: anthropic/claude-*, api_key: sk-claude-2, api_base: "%1$s"}
            model_info: {id: claude-2}
          - model_name: gpt-4o
            litellm_params: {model: openai/gpt-4o, api_key: sk-gpt-1, api_base: "%1$s/v1"}
            model_info: {id: gpt-1}
          - model_name: proxied
            litellm_params: {model: openai/gpt-4o, api_key: sk-p, api_base: "http://u:proxy-secret-9@127.0.0.1:9/v1"}
            model_info: {id: proxied}
        router_settings:
          allowed_fails: 0
          cooldown_time: 60
          num_retries: 0
          model_group_alias: {default: gpt-4o}
        """.formatted(emulator.baseUrl(), MASTER));
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    await(emulator.close());
    await(vertx.close());
  }

  /** An OpenAI-shaped error: {@code {"error":{"message","type","param","code"}}}, nothing of Anthropic's. */
  private static JsonNode openAiError(HttpResponse<String> response, int status) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.has("type")).as("no Anthropic envelope: " + response.body()).isFalse();
    JsonNode error = body.path("error");
    assertThat(error.isObject()).as(response.body()).isTrue();
    assertThat(error.has("message") && error.has("type") && error.has("param") && error.has("code"))
        .as(response.body()).isTrue();
    return error;
  }

  private static HttpResponse<String> chat(String body, String... headers) throws Exception {
    return gateway.post("/v1/chat/completions", body, headers);
  }

  @Test
  void aModelIsFoundByAliasWildcardOrGroupAlias() throws Exception {
    for (String id : new String[] {"gpt-4o", "claude-sonnet-4-5-20250929", "default"}) {
      HttpResponse<String> response = gateway.get("/v1/models/" + id, "authorization", BEARER);
      assertThat(response.statusCode()).as(id).isEqualTo(200);
      JsonNode model = JSON.readTree(response.body());
      assertThat(model.path("id").asText()).isEqualTo(id);
      assertThat(model.path("object").asText()).isEqualTo("model");
      assertThat(model.path("type").asText()).isEqualTo("model");
    }
    assertThat(gateway.get("/models", "authorization", BEARER).statusCode()).isEqualTo(200);
  }

  @Test
  void anUnknownModelIsA404InTheCallersShape() throws Exception {
    JsonNode error = openAiError(gateway.get("/v1/models/nope", "authorization", BEARER), 404);
    assertThat(error.path("code").asText()).isEqualTo("model_not_found");

    HttpResponse<String> anthropic = gateway.get("/v1/models/nope", "x-api-key", MASTER,
        "anthropic-version", "2023-06-01");
    assertThat(anthropic.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(anthropic.body()).path("type").asText()).isEqualTo("error");
    openAiError(gateway.get("/v1/models/gpt-4o"), 401);
  }

  @Test
  void healthReportsEveryDeploymentWithoutKeysAndSeesCooldowns() throws Exception {
    openAiError(gateway.get("/health"), 401);
    JsonNode all = JSON.readTree(gateway.get("/health", "authorization", BEARER).body());
    assertThat(all.path("healthy_count").asInt() + all.path("unhealthy_count").asInt()).isEqualTo(4);
    assertThat(all.findValuesAsText("model_id")).containsExactlyInAnyOrder("claude-1", "claude-2", "gpt-1",
        "proxied");
    assertThat(all.toString()).as("credentials in an api_base are not shown").doesNotContain("proxy-secret-9")
        .contains("http://127.0.0.1:9/v1");
    JsonNode before = JSON.readTree(gateway.get("/health?model=gpt-4o", "authorization", BEARER).body());
    assertThat(before.path("healthy_endpoints").findValuesAsText("model_id")).containsExactly("gpt-1");
    assertThat(before.path("unhealthy_count").asInt()).isZero();

    emulator.injectFault(Fault.status(500).forAccount("gpt-1"));
    openAiError(chat("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
        "authorization", BEARER, "content-type", "application/json"), 500);
    HttpResponse<String> after = gateway.get("/health?model=gpt-4o", "authorization", BEARER);

    JsonNode health = JSON.readTree(after.body());
    assertThat(health.path("healthy_count").asInt()).isZero();
    assertThat(health.path("unhealthy_endpoints").findValuesAsText("model_id")).containsExactly("gpt-1");
    assertThat(after.body()).doesNotContain("sk-gpt-1").doesNotContain("sk-claude");
  }

  @Test
  void everyRefusalOfChatCompletionsIsInOpenAisShape() throws Exception {
    String valid = "{\"model\":\"claude-sonnet-4-5\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";

    assertThat(openAiError(chat(valid, "content-type", "application/json"), 401).path("code").asText())
        .isEqualTo("invalid_api_key");
    assertThat(openAiError(chat(valid, "x-api-key", "wrong", "content-type", "application/json"), 401)
        .path("code").asText()).isEqualTo("invalid_api_key");
    openAiError(chat("{not json", "authorization", BEARER, "content-type", "application/json"), 400);
    openAiError(chat(valid, "authorization", BEARER, "content-type", "text/plain"), 400);
    openAiError(chat("", "authorization", BEARER, "content-type", "application/json"), 400);
    openAiError(chat("{\"model\":\"gpt-4o\"}", "authorization", BEARER, "content-type", "application/json"), 400);
    openAiError(chat("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(20_000)
        + "\"}]}", "authorization", BEARER, "content-type", "application/json"), 413);
    assertThat(openAiError(chat(valid.replace("claude-sonnet-4-5", "no-such-model"), "authorization", BEARER,
        "content-type", "application/json"), 404).path("code").asText()).isEqualTo("model_not_found");
    // a path not served is no model's fault: no model_not_found code, which OpenAI clients read as a wrong model
    assertThat(openAiError(gateway.get("/v1/chat/completions", "authorization", BEARER), 404).path("code").isNull())
        .isTrue();
    JsonNode embeddings = openAiError(gateway.post("/v1/embeddings", "{\"model\":\"gpt-4o\",\"input\":\"x\"}",
        "authorization", BEARER, "content-type", "application/json"), 404);
    assertThat(embeddings.path("code").isNull()).isTrue();
    assertThat(embeddings.path("param").isNull()).isTrue();
    // an Anthropic deployment's own error, translated for the OpenAI client
    emulator.injectFault(Fault.status(529).forAccount("claude-1"));
    emulator.injectFault(Fault.status(529).forAccount("claude-2"));
    HttpResponse<String> overloaded = chat(valid, "authorization", BEARER, "content-type", "application/json");
    assertThat(overloaded.statusCode()).isIn(503, 529);
    openAiError(overloaded, overloaded.statusCode());
  }
}
