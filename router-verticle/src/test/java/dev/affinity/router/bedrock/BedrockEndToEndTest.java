package dev.affinity.router.bedrock;

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
import dev.affinity.router.LogCapture;
import dev.affinity.router.ResponsesTurns;
import dev.affinity.router.TestGateway;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The configuration everyone writes for several AWS accounts on Bedrock, unchanged but for the endpoint, with two
 * profiles from a credentials file, through a node to the emulator, which checks every SigV4 signature.
 */
class BedrockEndToEndTest {

  private static final String ALIAS = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
  private static final String SECRET_1 = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYACCOUNT1KEY";
  private static final String SECRET_2 = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbACCOUNT2KEY";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Vertx vertx;
  private static UpstreamEmulator emulator;
  private static TestGateway gateway;
  private static LogCapture logs;
  private static String previousCredentials;

  @BeforeAll
  static void start() throws Exception {
    logs = LogCapture.install();
    vertx = Vertx.vertx();
    emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions().setLatency(LatencyModel.ZERO)
        .addAwsAccount("aws-1", "AKIAACCOUNTONE000001", SECRET_1)
        .addAwsAccount("aws-2", "AKIAACCOUNTTWO000002", SECRET_2)));
    Path credentials = Files.createTempFile("affinity-aws-credentials", "");
    Files.writeString(credentials, """
        [account-1]
        aws_access_key_id = AKIAACCOUNTONE000001
        aws_secret_access_key = %s

        [account-2]
        aws_access_key_id = AKIAACCOUNTTWO000002
        aws_secret_access_key = %s

        [stale]
        aws_access_key_id = AKIAACCOUNTONE000001
        aws_secret_access_key = not-the-right-secret-at-all-0000000000
        """.formatted(SECRET_1, SECRET_2));
    credentials.toFile().deleteOnExit();
    previousCredentials = System.setProperty("aws.sharedCredentialsFile", credentials.toString());
    String endpoint = emulator.baseUrl();
    gateway = TestGateway.start("""
        router_settings:
          optional_pre_call_checks: ["prompt_caching"]
        model_list:
        - model_name: us.anthropic.claude-sonnet-4-5-20250929-v1:0
          litellm_params:
            model: us.anthropic.claude-sonnet-4-5-20250929-v1:0
            aws_profile_name: account-1
            aws_region_name: us-west-2
            aws_bedrock_runtime_endpoint: %1$s
          model_info:
            litellm_provider: bedrock
        - model_name: us.anthropic.claude-sonnet-4-5-20250929-v1:0
          litellm_params:
            model: us.anthropic.claude-sonnet-4-5-20250929-v1:0
            aws_profile_name: account-2
            aws_region_name: us-west-2
            aws_bedrock_runtime_endpoint: %1$s
          model_info:
            litellm_provider: bedrock
        - model_name: prefixed
          litellm_params:
            model: bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0
            aws_profile_name: account-2
            aws_region_name: us-west-2
            aws_bedrock_runtime_endpoint: %1$s
        - model_name: responses
          litellm_params:
            model: bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0
            aws_profile_name: account-1
            aws_region_name: us-west-2
            aws_bedrock_runtime_endpoint: %1$s
            cache_control_injection_points: [{location: message, role: system}]
        - model_name: responses
          litellm_params:
            model: bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0
            aws_profile_name: account-2
            aws_region_name: us-west-2
            aws_bedrock_runtime_endpoint: %1$s
            cache_control_injection_points: [{location: message, role: system}]
        - model_name: stale
          litellm_params:
            model: bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0
            aws_profile_name: stale
            aws_region_name: us-west-2
            aws_bedrock_runtime_endpoint: %1$s
        """.formatted(endpoint));
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    await(emulator.close());
    await(vertx.close());
    if (previousCredentials == null) {
      System.clearProperty("aws.sharedCredentialsFile");
    } else {
      System.setProperty("aws.sharedCredentialsFile", previousCredentials);
    }
    logs.close();
    assertThat(logs.all()).doesNotContain(SECRET_1, SECRET_2, "not-the-right-secret");
  }

  private static AnthropicClient client() {
    return AnthropicOkHttpClient.builder().baseUrl(gateway.baseUrl()).apiKey("unused").maxRetries(0).build();
  }

  @Test
  void nonStreamingAndStreamingThroughSignedCalls() {
    for (String model : new String[] {ALIAS, "prefixed"}) {
      Message message = client().messages().create(MessageCreateParams.builder().model(model).maxTokens(32)
          .addUserMessage("hello bedrock").build());
      assertThat(message.content().get(0).text()).isPresent();
      assertThat(message.usage().outputTokens()).isPositive();

      MessageAccumulator accumulator = MessageAccumulator.create();
      try (StreamResponse<RawMessageStreamEvent> stream = client().messages().createStreaming(
          MessageCreateParams.builder().model(model).maxTokens(32).addUserMessage("stream please").build())) {
        stream.stream().forEach(accumulator::accumulate);
      }
      assertThat(accumulator.message().content().get(0).text().orElseThrow().text()).isNotBlank();
      assertThat(accumulator.message().usage().outputTokens()).isPositive();
    }
    assertThat(emulator.counters("aws-1").requests() + emulator.counters("aws-2").requests()).isGreaterThanOrEqualTo(4);
  }

  @Test
  void aSessionStaysOnOneAccountAndReadsItsCache() throws Exception {
    Session session = new AgentWorkload(515, 1, 1, ALIAS).sessions().get(0);
    Set<String> deployments = new HashSet<>();
    long reads = 0;
    for (int turn = 0; turn < 4; turn++) {
      HttpResponse<String> response = gateway.post("/v1/messages", new String(session.request(false)),
          "x-api-key", "unused", "anthropic-version", "2023-06-01", "content-type", "application/json");
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      deployments.add(response.headers().firstValue("x-affinity-deployment").orElseThrow());
      JsonNode body = JSON.readTree(response.body());
      if (turn > 0) {
        assertThat(response.headers().firstValue("x-affinity-route")).hasValue("pinned");
        assertThat(body.path("usage").path("cache_read_input_tokens").asLong()).isPositive();
      }
      reads += body.path("usage").path("cache_read_input_tokens").asLong();
      session.nextTurn(body.path("content").path(0).path("text").asText("ok"));
    }
    assertThat(deployments).hasSize(1);
    assertThat(reads).isPositive();
  }

  @Test
  void wrongCredentialsNameTheProfileNotTheSecret() throws Exception {
    HttpResponse<String> response = gateway.post("/v1/messages",
        "{\"model\":\"stale\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
        "x-api-key", "unused", "anthropic-version", "2023-06-01");
    assertThat(response.statusCode()).isEqualTo(403);
    JsonNode error = JSON.readTree(response.body()).path("error");
    assertThat(error.path("type").asText()).isEqualTo("permission_error");
    assertThat(error.path("message").asText()).contains("stale").doesNotContain("not-the-right-secret");
    assertThat(response.body()).doesNotContain("AKIAACCOUNTONE000001");
  }

  @Test
  void openAiClientsReachBedrockThroughTranslation() throws Exception {
    HttpResponse<String> response = gateway.post("/v1/chat/completions",
        "{\"model\":\"prefixed\",\"messages\":[{\"role\":\"user\",\"content\":\"hi from openai\"}]}",
        "authorization", "Bearer unused", "content-type", "application/json");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode completion = JSON.readTree(response.body());
    assertThat(completion.path("object").asText()).isEqualTo("chat.completion");
    assertThat(completion.path("choices").path(0).path("message").path("content").asText()).isNotBlank();
  }

  @Test
  void responsesClientsReachBedrockAndAConversationReadsItsCacheOnOneAccount() throws Exception {
    // past Claude Sonnet's 1,024-token minimum, with the gateway's marker on it (the Responses API has none)
    String instructions = "You are a careful assistant for the affinity project. ".repeat(120);
    List<ResponsesTurns.Turn> turns = ResponsesTurns.conversation(gateway, "responses", instructions, 3,
        "authorization", "Bearer unused");
    ResponsesTurns.assertOneDeploymentReadingItsCache(turns, 1000);
    ResponsesTurns.assertStreamsTypedEvents(gateway, "responses", "authorization", "Bearer unused");
  }
}
