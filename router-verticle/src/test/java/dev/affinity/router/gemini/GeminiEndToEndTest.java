package dev.affinity.router.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.router.ResponsesTurns;
import dev.affinity.router.TestGateway;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/** Two Gemini API keys (two implicit caches) behind one alias, for Anthropic and OpenAI clients. */
class GeminiEndToEndTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static Vertx vertx;
  private static UpstreamEmulator emulator;
  private static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions().setLatency(LatencyModel.ZERO)
        .addAccount("gem-1", "sk-gem-1").addAccount("gem-2", "sk-gem-2")));
    gateway = TestGateway.start("""
        model_list:
          - model_name: gemini
            litellm_params: {model: gemini/gemini-2.5-flash, api_key: sk-gem-1, api_base: "%1$s"}
            model_info: {id: gem-1}
          - model_name: gemini
            litellm_params: {model: gemini/gemini-2.5-flash, api_key: sk-gem-2, api_base: "%1$s"}
            model_info: {id: gem-2}
        """.formatted(emulator.baseUrl()));
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    await(emulator.close());
    await(vertx.close());
  }

  @Test
  void aGrowingConversationStaysOnOneKeyAndReadsItsImplicitCache() throws Exception {
    Random random = new Random(31);
    StringBuilder system = new StringBuilder();
    while (system.length() < 12_000) {
      system.append("clause").append(random.nextInt(80_000)).append(' ');
    }
    ArrayNode messages = JSON.createArrayNode();
    Set<String> deployments = new HashSet<>();
    for (int turn = 0; turn < 4; turn++) {
      messages.addObject().put("role", "user").put("content", "question " + turn + " " + random.nextInt());
      ObjectNode request = JSON.createObjectNode().put("model", "gemini").put("max_tokens", 16)
          .put("system", system.toString());
      request.set("messages", messages.deepCopy());
      HttpResponse<String> response = gateway.post("/v1/messages", request.toString(),
          "anthropic-version", "2023-06-01", "content-type", "application/json");
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      deployments.add(response.headers().firstValue("x-affinity-deployment").orElseThrow());
      JsonNode body = JSON.readTree(response.body());
      if (turn > 0) {
        assertThat(response.headers().firstValue("x-affinity-route")).hasValue("pinned");
        assertThat(body.path("usage").path("cache_read_input_tokens").asLong()).isGreaterThan(2000);
      }
      messages.addObject().put("role", "assistant").put("content", "answer " + turn);
    }
    assertThat(deployments).hasSize(1);
  }

  @Test
  void openAiClientsStreamFromGemini() throws Exception {
    HttpResponse<String> response = gateway.post("/v1/chat/completions", "{\"model\":\"gemini\",\"stream\":true,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "content-type", "application/json");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.body()).contains("chat.completion.chunk").endsWith("data: [DONE]\n\n");
    for (String account : List.of("gem-1", "gem-2")) {
      emulator.capturedRequests(account).forEach(captured ->
          assertThat(captured.body()).doesNotContain("sk-gem").doesNotContain("\"model\":\""));
    }
  }

  @Test
  void responsesClientsReachGeminiAndAConversationReadsItsImplicitCacheOnOneKey() throws Exception {
    Random random = new Random(47);
    StringBuilder instructions = new StringBuilder();
    while (instructions.length() < 12_000) {
      instructions.append("rule").append(random.nextInt(80_000)).append(' ');
    }
    List<ResponsesTurns.Turn> turns = ResponsesTurns.conversation(gateway, "gemini", instructions.toString(), 3);
    ResponsesTurns.assertOneDeploymentReadingItsCache(turns, 2000);
    ResponsesTurns.assertStreamsTypedEvents(gateway, "gemini");
  }
}
