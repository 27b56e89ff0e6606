package dev.affinity.router.vertex;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.emulator.workload.AgentWorkload;
import dev.affinity.emulator.workload.Session;
import dev.affinity.router.ResponsesTurns;
import dev.affinity.router.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/** Two Vertex AI projects serving Claude, through a node, with Google's auth library fetching tokens. */
class VertexEndToEndTest {

  private static final String ALIAS = "claude-vertex";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static TwoVertexProjects projects;
  private static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    projects = TwoVertexProjects.start();
    gateway = TestGateway.start("model_list:\n"
        + projects.deployments(ALIAS, "claude-sonnet-4-5@20250929", "us-east5", "")
        + projects.deployments("claude-responses", "claude-sonnet-4-5@20250929", "us-east5",
            "cache_control_injection_points: [{location: message, role: system}]"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    projects.close();
  }

  private static AnthropicClient client() {
    return AnthropicOkHttpClient.builder().baseUrl(gateway.baseUrl()).apiKey("unused").maxRetries(0).build();
  }

  @Test
  void roundTripsStreamingAndNot() {
    Message message = client().messages().create(MessageCreateParams.builder().model(ALIAS).maxTokens(32)
        .addUserMessage("hello vertex").build());
    assertThat(message.content().get(0).text()).isPresent();
    MessageAccumulator accumulator = MessageAccumulator.create();
    try (StreamResponse<RawMessageStreamEvent> stream = client().messages().createStreaming(
        MessageCreateParams.builder().model(ALIAS).maxTokens(32).addUserMessage("stream").build())) {
      stream.stream().forEach(accumulator::accumulate);
    }
    assertThat(accumulator.message().usage().outputTokens()).isPositive();
  }

  @Test
  void aSessionStaysOnOneProjectAndReadsItsCache() throws Exception {
    Session session = new AgentWorkload(808, 1, 1, ALIAS).sessions().get(0);
    Set<String> deployments = new HashSet<>();
    for (int turn = 0; turn < 3; turn++) {
      HttpResponse<String> response = gateway.post("/v1/messages", new String(session.request(false),
          StandardCharsets.UTF_8), "anthropic-version", "2023-06-01", "content-type", "application/json");
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      deployments.add(response.headers().firstValue("x-affinity-deployment").orElseThrow());
      JsonNode body = JSON.readTree(response.body());
      if (turn > 0) {
        assertThat(body.path("usage").path("cache_read_input_tokens").asLong()).isPositive();
      }
      session.nextTurn(body.path("content").path(0).path("text").asText("ok"));
    }
    assertThat(deployments).hasSize(1);
  }

  @Test
  void openAiClientsReachVertexThroughTranslation() throws Exception {
    HttpResponse<String> response = gateway.post("/v1/chat/completions", "{\"model\":\"" + ALIAS
        + "\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "content-type", "application/json");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.body()).contains("chat.completion.chunk", "\"prompt_tokens\"").endsWith("data: [DONE]\n\n");
  }

  @Test
  void responsesClientsReachVertexAndAConversationReadsItsCacheInOneProject() throws Exception {
    // past Claude Sonnet's 1,024-token minimum, with the gateway's marker on it (the Responses API has none)
    String instructions = "You are a careful assistant for the affinity project. ".repeat(120);
    List<ResponsesTurns.Turn> turns = ResponsesTurns.conversation(gateway, "claude-responses", instructions, 3);
    ResponsesTurns.assertOneDeploymentReadingItsCache(turns, 1000);
    ResponsesTurns.assertStreamsTypedEvents(gateway, "claude-responses");
  }
}
