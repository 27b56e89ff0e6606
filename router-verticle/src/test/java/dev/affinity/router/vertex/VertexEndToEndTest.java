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
import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.emulator.workload.AgentWorkload;
import dev.affinity.emulator.workload.Session;
import dev.affinity.router.TestGateway;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.util.HashSet;
import java.util.Set;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/** Two Vertex AI projects serving Claude, through a node, with Google's auth library fetching tokens. */
class VertexEndToEndTest {

  private static final String ALIAS = "claude-vertex";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Vertx vertx;
  private static UpstreamEmulator emulator;
  private static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair first = generator.generateKeyPair();
    KeyPair second = generator.generateKeyPair();
    vertx = Vertx.vertx();
    emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions().setLatency(LatencyModel.ZERO)
        .addVertexAccount("gcp-a", "proj-a", "gw@proj-a.iam.gserviceaccount.com", (RSAPublicKey) first.getPublic())
        .addVertexAccount("gcp-b", "proj-b", "gw@proj-b.iam.gserviceaccount.com",
            (RSAPublicKey) second.getPublic())));
    gateway = TestGateway.start("""
        model_list:
          - model_name: %1$s
            litellm_params:
              model: vertex_ai/claude-sonnet-4-5@20250929
              vertex_project: proj-a
              vertex_location: us-east5
              vertex_credentials: %2$s
              api_base: %4$s
          - model_name: %1$s
            litellm_params:
              model: vertex_ai/claude-sonnet-4-5@20250929
              vertex_project: proj-b
              vertex_location: us-east5
              vertex_credentials: %3$s
              api_base: %4$s
        """.formatted(ALIAS, keyFile("proj-a", "gw@proj-a.iam.gserviceaccount.com", first),
        keyFile("proj-b", "gw@proj-b.iam.gserviceaccount.com", second), emulator.baseUrl()));
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    await(emulator.close());
    await(vertx.close());
  }

  private static Path keyFile(String project, String email, KeyPair pair) throws Exception {
    return ServiceAccountKey.write(project, email, pair, emulator.baseUrl());
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
}
