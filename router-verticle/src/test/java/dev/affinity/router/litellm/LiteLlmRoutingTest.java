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
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * LiteLLM's router keys with LiteLLM's meaning, through a whole node: fallbacks across aliases (and on context-window
 * errors), model_group_alias, order, max_parallel_requests and stream_timeout.
 */
class LiteLlmRoutingTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static Vertx vertx;
  private static UpstreamEmulator emulator;
  private static HttpServer tooLong;
  private static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions().setLatency(LatencyModel.ZERO)
        .addAccount("primary", "sk-primary").addAccount("backup", "sk-backup").addAccount("big", "sk-big")
        .addAccount("first", "sk-first").addAccount("second", "sk-second").addAccount("narrow", "sk-narrow")
        .addAccount("slow", "sk-slow")));
    // an OpenAI-compatible server whose every answer says the prompt does not fit
    tooLong = await(vertx.createHttpServer().requestHandler(request -> request.response().setStatusCode(400)
        .putHeader("content-type", "application/json")
        .end("{\"error\":{\"message\":\"This model's maximum context length is 8192 tokens. However, your messages"
            + " resulted in 9000 tokens.\",\"type\":\"invalid_request_error\",\"param\":\"messages\","
            + "\"code\":\"context_length_exceeded\"}}")).listen(0, "127.0.0.1"));
    String emu = emulator.baseUrl();
    gateway = TestGateway.start("""
        model_list:
          - model_name: primary
            litellm_params: {model: openai/gpt-4o, api_key: sk-primary, api_base: "%1$s/v1"}
            model_info: {id: primary}
          - model_name: backup
            litellm_params: {model: openai/gpt-4o-mini, api_key: sk-backup, api_base: "%1$s/v1"}
            model_info: {id: backup}
          - model_name: small-context
            litellm_params: {model: openai/gpt-3.5-turbo, api_key: sk-x, api_base: "http://127.0.0.1:%2$d/v1"}
            model_info: {id: small}
          - model_name: big-context
            litellm_params: {model: openai/gpt-4o, api_key: sk-big, api_base: "%1$s/v1"}
            model_info: {id: big}
          - model_name: ordered
            litellm_params: {model: openai/gpt-4o, api_key: sk-first, api_base: "%1$s/v1", order: 1}
            model_info: {id: first}
          - model_name: ordered
            litellm_params: {model: openai/gpt-4o, api_key: sk-second, api_base: "%1$s/v1", order: 2}
            model_info: {id: second}
          - model_name: narrow
            litellm_params: {model: openai/gpt-4o, api_key: sk-narrow, api_base: "%1$s/v1", max_parallel_requests: 1,
                             timeout: 3}
            model_info: {id: narrow}
          - model_name: slow-streams
            litellm_params: {model: openai/gpt-4o, api_key: sk-slow, api_base: "%1$s/v1", stream_timeout: 0.5}
            model_info: {id: slow}
        router_settings:
          num_retries: 1
          timeout: 120
          fallbacks: [{primary: [backup]}]
          context_window_fallbacks: [{small-context: [big-context]}]
          model_group_alias:
            gpt-4: primary
            internal-name: {model: backup, hidden: true}
        """.formatted(emu, tooLong.actualPort()));
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    await(tooLong.close());
    await(emulator.close());
    await(vertx.close());
  }

  @AfterEach
  void clearFaults() {
    emulator.clearFaults();
  }

  private static HttpResponse<String> chat(String model) throws Exception {
    return chat(model, false);
  }

  private static HttpResponse<String> chat(String model, boolean stream) throws Exception {
    return gateway.post("/v1/chat/completions", """
        {"model":"%s","max_tokens":8,"stream":%s,"messages":[{"role":"user","content":"hello"}]}
        """.formatted(model, stream), "content-type", "application/json");
  }

  @Test
  void anAliasThatFailsFallsBackToTheNextAlias() throws Exception {
    emulator.injectFault(Fault.status(503).times(Fault.UNTIL_CLEARED).forAccount("primary"));

    HttpResponse<String> response = chat("primary");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("x-affinity-deployment")).hasValue("backup");
    assertThat(response.headers().firstValue("x-affinity-fallback")).hasValue("backup");
    assertThat(emulator.capturedRequests("backup").get(emulator.capturedRequests("backup").size() - 1).body())
        .contains("\"model\":\"gpt-4o-mini\"");
  }

  @Test
  void aClientMistakeIsNotFallenBackFrom() throws Exception {
    emulator.injectFault(Fault.status(400).forAccount("primary"));

    HttpResponse<String> response = chat("primary");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.headers().firstValue("x-affinity-fallback")).isEmpty();
  }

  @Test
  void aPromptTooLongForTheContextWindowGoesToTheContextWindowFallback() throws Exception {
    HttpResponse<String> response = chat("small-context");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("x-affinity-deployment")).hasValue("big");
    assertThat(response.headers().firstValue("x-affinity-fallback")).hasValue("big-context");
  }

  @Test
  void aGroupAliasIsServedByItsAliasAndListedUnlessHidden() throws Exception {
    HttpResponse<String> response = chat("gpt-4");
    HttpResponse<String> hidden = chat("internal-name");
    JsonNode models = JSON.readTree(gateway.get("/v1/models").body());

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("x-affinity-deployment")).hasValue("primary");
    assertThat(hidden.headers().firstValue("x-affinity-deployment")).hasValue("backup");
    assertThat(models.path("data").findValuesAsText("id")).contains("gpt-4", "primary")
        .doesNotContain("internal-name");
  }

  @Test
  void theLowestOrderTakesTheTrafficAndTheNextOrderTakesOverOnFailure() throws Exception {
    for (int i = 0; i < 4; i++) {
      assertThat(chat("ordered").headers().firstValue("x-affinity-deployment")).hasValue("first");
    }
    emulator.injectFault(Fault.status(500).forAccount("first"));

    HttpResponse<String> retried = chat("ordered");

    assertThat(retried.statusCode()).isEqualTo(200);
    assertThat(retried.headers().firstValue("x-affinity-deployment")).hasValue("second");
  }

  @Test
  void aDeploymentAtItsParallelLimitTakesNoMoreCalls() throws Exception {
    emulator.injectFault(Fault.stall().forAccount("narrow"));
    HttpClient client = HttpClient.newHttpClient();
    CompletableFuture<HttpResponse<String>> held = client.sendAsync(HttpRequest.newBuilder(
            URI.create(gateway.baseUrl() + "/v1/chat/completions")).timeout(Duration.ofSeconds(60))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"model\":\"narrow\",\"messages\":[{\"role\":\"user\",\"content\":\"hold\"}]}")).build(),
        HttpResponse.BodyHandlers.ofString());
    // the held call is in flight once the emulator has it
    while (emulator.capturedRequests("narrow").isEmpty()) {
      Thread.sleep(20);
    }

    HttpResponse<String> refused = chat("narrow");

    assertThat(refused.statusCode()).isEqualTo(429);
    JsonNode error = JSON.readTree(refused.body()).path("error");
    assertThat(error.path("message").asText()).contains("max_parallel_requests");
    assertThat(error.path("code").asText()).isEqualTo("rate_limit_exceeded");
    assertThat(emulator.capturedRequests("narrow")).hasSize(1);
    assertThat(held.get().statusCode()).as("the held call times out on its own").isEqualTo(504);
  }

  @Test
  void streamsTimeOutByStreamTimeout() throws Exception {
    // the router timeout is 120 s, longer than this client waits: only stream_timeout can answer in time
    emulator.injectFault(Fault.stall().forAccount("slow"));

    HttpResponse<String> response = chat("slow-streams", true);

    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(JSON.readTree(response.body()).path("error").path("code").asText()).isEqualTo("timeout");
  }
}
