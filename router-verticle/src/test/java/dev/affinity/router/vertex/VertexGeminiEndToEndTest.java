package dev.affinity.router.vertex;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.router.ResponsesTurns;
import dev.affinity.router.TestGateway;
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

/**
 * Two Vertex AI projects serving Gemini (two implicit caches) behind one alias, through a node: the router pins a
 * conversation by its automatic prefix chain, as for the Gemini API, while the calls carry the projects' tokens.
 */
class VertexGeminiEndToEndTest {

  private static final String ALIAS = "gemini-vertex";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static TwoVertexProjects projects;
  private static UpstreamEmulator emulator;
  private static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    projects = TwoVertexProjects.start();
    emulator = projects.emulator();
    gateway = TestGateway.start(projects.modelList(ALIAS, "gemini-2.5-flash", "us-central1"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    projects.close();
  }

  @Test
  void aGrowingConversationStaysOnOneProjectAndReadsItsImplicitCache() throws Exception {
    Random random = new Random(37);
    StringBuilder system = new StringBuilder();
    while (system.length() < 12_000) {
      system.append("clause").append(random.nextInt(80_000)).append(' ');
    }
    ArrayNode messages = JSON.createArrayNode();
    Set<String> deployments = new HashSet<>();
    for (int turn = 0; turn < 4; turn++) {
      messages.addObject().put("role", "user").put("content", "question " + turn + " " + random.nextInt());
      ObjectNode request = JSON.createObjectNode().put("model", ALIAS).put("max_tokens", 16)
          .put("system", system.toString());
      request.set("messages", messages.deepCopy());
      HttpResponse<String> response = gateway.post("/v1/messages", request.toString(),
          "anthropic-version", "2023-06-01", "content-type", "application/json");
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      deployments.add(response.headers().firstValue("x-affinity-deployment").orElseThrow());
      JsonNode body = JSON.readTree(response.body());
      assertThat(body.path("type").asText()).isEqualTo("message");
      if (turn > 0) {
        assertThat(response.headers().firstValue("x-affinity-route")).hasValue("pinned");
        assertThat(body.path("usage").path("cache_read_input_tokens").asLong()).isGreaterThan(2000);
      }
      messages.addObject().put("role", "assistant").put("content", "answer " + turn);
    }
    assertThat(deployments).hasSize(1);
    long geminiCalls = 0;
    for (String account : List.of("gcp-a", "gcp-b")) {
      geminiCalls += emulator.capturedRequests(account).stream()
          .filter(captured -> captured.uri().contains("/publishers/google/models/gemini-2.5-flash:generateContent"))
          .count();
    }
    assertThat(geminiCalls).isEqualTo(4);
  }

  @Test
  void openAiClientsStreamFromGeminiOnVertex() throws Exception {
    HttpResponse<String> response = gateway.post("/v1/chat/completions", "{\"model\":\"" + ALIAS
        + "\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "content-type", "application/json");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.body()).contains("chat.completion.chunk", "\"prompt_tokens\"").endsWith("data: [DONE]\n\n");
  }

  @Test
  void responsesClientsStreamFromGeminiOnVertex() throws Exception {
    ResponsesTurns.assertStreamsTypedEvents(gateway, ALIAS);
  }
}
