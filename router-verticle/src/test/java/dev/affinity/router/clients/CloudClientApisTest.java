package dev.affinity.router.clients;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.emulator.CapturedRequest;
import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.Fault;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.router.TestGateway;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.eventstream.MessageDecoder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bedrock InvokeModel and Vertex rawPredict at the gateway's HTTP face, and Claude Code's gateway contract: the probes
 * and model discovery answer, {@code anthropic-beta} reaches the upstream unchanged, an upstream's error body reaches a
 * client of its own API unmodified, and every error is in the shape of the API called.
 */
class CloudClientApisTest {

  private static final String KEY = "sk-affinity-clients";
  private static final String MODEL = "claude-sonnet-4-5-20250929";
  private static final String BEDROCK_PATH = "/model/us.anthropic.claude-sonnet-4-5-20250929-v1:0";
  private static final String VERTEX_PATH = "/v1/projects/p/locations/us-east5/publishers/anthropic/models/";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static Vertx vertx;
  private static UpstreamEmulator emulator;
  private static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions().setLatency(LatencyModel.ZERO)
        .addAccount("anthropic-1", "sk-anthropic-1")));
    gateway = TestGateway.start("""
        general_settings: {master_key: %s}
        model_list:
        - model_name: %s
          litellm_params: {model: anthropic/%s, api_key: sk-anthropic-1, api_base: "%s"}
        """.formatted(KEY, MODEL, MODEL, emulator.baseUrl()));
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    await(emulator.close());
    await(vertx.close());
  }

  @Test
  void claudeCodesProbesAndModelDiscoveryAnswer() throws Exception {
    for (String path : List.of("/", "/api/hello")) {
      HttpResponse<Void> head = HTTP.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path))
          .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
      assertThat(head.statusCode()).as(path).isEqualTo(200);
    }
    HttpResponse<String> models = gateway.get("/v1/models?limit=1000", "x-api-key", KEY,
        "anthropic-version", "2023-06-01");
    assertThat(models.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(models.body()).path("data").path(0).path("id").asText()).isEqualTo(MODEL);
    assertThat(JSON.readTree(models.body()).path("has_more").asBoolean(true)).isFalse();
    assertThat(gateway.get("/v1/models?limit=0", "x-api-key", KEY, "anthropic-version", "2023-06-01").statusCode())
        .isEqualTo(400);
  }

  @Test
  void bedrockInvokeTakesTheKeyAsBearerTokenAndItsBetasFromBodyAndHeader() throws Exception {
    HttpResponse<String> response = gateway.post(BEDROCK_PATH + "/invoke", """
        {"anthropic_version":"bedrock-2023-05-31","anthropic_beta":["context-1m-2025-08-07"],"max_tokens":16,
         "messages":[{"role":"user","content":"hello from bedrock"}]}""", "authorization", "Bearer " + KEY,
        "anthropic-beta", "claude-code-20250219", "content-type", "application/json");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(JSON.readTree(response.body()).path("type").asText()).isEqualTo("message");
    CapturedRequest sent = lastSent();
    JsonNode body = JSON.readTree(sent.body());
    assertThat(body.path("model").asText()).isEqualTo(MODEL);
    assertThat(body.has("anthropic_version")).isFalse();
    assertThat(body.has("anthropic_beta")).isFalse();
    assertThat(body.path("stream").asBoolean(true)).isFalse();
    assertThat(sent.headers().get("anthropic-beta")).isEqualTo("claude-code-20250219,context-1m-2025-08-07");
  }

  @Test
  void bedrockStreamsAreAwsEventStreamFramesOfAnthropicEvents() throws Exception {
    HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + BEDROCK_PATH
            + "/invoke-with-response-stream")).header("authorization", "Bearer " + KEY)
        .POST(HttpRequest.BodyPublishers.ofString("""
            {"anthropic_version":"bedrock-2023-05-31","max_tokens":16,
             "messages":[{"role":"user","content":"stream from bedrock"}]}""")).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/vnd.amazon.eventstream");
    List<String> types = new ArrayList<>();
    MessageDecoder decoder = new MessageDecoder(frame -> {
      assertThat(frame.getHeaders().get(":event-type").getString()).isEqualTo("chunk");
      try {
        byte[] event = Base64.getDecoder().decode(JSON.readTree(frame.getPayload()).path("bytes").asText());
        types.add(JSON.readTree(event).path("type").asText());
      } catch (java.io.IOException notJson) {
        throw new AssertionError(notJson);
      }
    });
    decoder.feed(response.body());
    assertThat(types).startsWith("message_start").endsWith("message_stop").contains("content_block_delta")
        .doesNotContain("ping");
  }

  @Test
  void bedrockClientsListTheInferenceProfilesOfWhatIsServedAndInvokeThem() throws Exception {
    String profile = "global.anthropic." + MODEL + "-v1:0";
    HttpResponse<String> listed = gateway.get("/inference-profiles?type=SYSTEM_DEFINED", "authorization",
        "Bearer " + KEY);
    assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
    JsonNode summaries = JSON.readTree(listed.body()).path("inferenceProfileSummaries");
    assertThat(summaries).hasSize(1);
    JsonNode summary = summaries.path(0);
    assertThat(summary.path("inferenceProfileId").asText()).isEqualTo(profile);
    assertThat(summary.path("inferenceProfileArn").asText()).endsWith(":inference-profile/" + profile);
    assertThat(summary.path("inferenceProfileName").asText()).matches("([0-9a-zA-Z][ _-]?)+");
    assertThat(summary.path("models").path(0).path("modelArn").asText())
        .endsWith("foundation-model/anthropic." + MODEL + "-v1:0");
    assertThat(summary.path("status").asText()).isEqualTo("ACTIVE");
    assertThat(summary.path("type").asText()).isEqualTo("SYSTEM_DEFINED");
    assertThat(JSON.readTree(listed.body()).has("nextToken")).isFalse();
    // one at a time, as the AWS SDKs' paginators ask; and no application profiles
    HttpResponse<String> first = gateway.get("/inference-profiles?maxResults=1", "authorization", "Bearer " + KEY);
    assertThat(JSON.readTree(first.body()).path("inferenceProfileSummaries")).hasSize(1);
    assertThat(JSON.readTree(gateway.get("/inference-profiles?type=APPLICATION", "authorization", "Bearer " + KEY)
        .body()).path("inferenceProfileSummaries")).isEmpty();
    // GetInferenceProfile, the colon escaped as the AWS SDKs escape it
    HttpResponse<String> one = gateway.get("/inference-profiles/" + profile.replace(":", "%3A"), "authorization",
        "Bearer " + KEY);
    assertThat(one.statusCode()).as(one.body()).isEqualTo(200);
    assertThat(JSON.readTree(one.body()).path("inferenceProfileId").asText()).isEqualTo(profile);
    // and the listed id is one the gateway serves
    HttpResponse<String> invoked = gateway.post("/model/" + profile + "/invoke", """
        {"anthropic_version":"bedrock-2023-05-31","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}""",
        "authorization", "Bearer " + KEY);
    assertThat(invoked.statusCode()).as(invoked.body()).isEqualTo(200);
    assertThat(JSON.readTree(lastSent().body()).path("model").asText()).isEqualTo(MODEL);
  }

  @Test
  void inferenceProfileErrorsAreBedrocksShape() throws Exception {
    for (String query : List.of("maxResults=0", "maxResults=1001", "maxResults=x", "nextToken=99", "nextToken=abc",
        "type=CUSTOM")) {
      HttpResponse<String> invalid = gateway.get("/inference-profiles?" + query, "authorization", "Bearer " + KEY);
      assertThat(invalid.statusCode()).as(query).isEqualTo(400);
      assertThat(invalid.headers().firstValue("x-amzn-errortype").orElseThrow()).as(query)
          .startsWith("ValidationException");
      assertThat(JSON.readTree(invalid.body()).path("message").asText()).as(query).isNotBlank();
    }
    HttpResponse<String> unknown = gateway.get("/inference-profiles/us.anthropic.claude-nothing-v1%3A0",
        "authorization", "Bearer " + KEY);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.headers().firstValue("x-amzn-errortype").orElseThrow()).startsWith("ResourceNotFoundException");
    HttpResponse<String> noKey = gateway.get("/inference-profiles");
    assertThat(noKey.statusCode()).isEqualTo(401);
    assertThat(noKey.headers().firstValue("x-amzn-errortype").orElseThrow())
        .startsWith("UnrecognizedClientException");
    assertThat(noKey.body()).doesNotContain(KEY);
  }

  @Test
  void bedrockErrorsAreBedrocksShape() throws Exception {
    HttpResponse<String> unknown = gateway.post("/model/us.anthropic.claude-nothing-v1:0/invoke",
        "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\","
            + "\"content\":\"hi\"}]}", "authorization", "Bearer " + KEY);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.headers().firstValue("x-amzn-errortype").orElseThrow()).startsWith("ResourceNotFoundException");
    assertThat(JSON.readTree(unknown.body()).path("message").asText()).contains("claude-nothing");
    assertThat(JSON.readTree(unknown.body()).has("type")).isFalse();

    HttpResponse<String> wrongKey = gateway.post(BEDROCK_PATH + "/invoke", "{}", "authorization", "Bearer nope");
    assertThat(wrongKey.statusCode()).isEqualTo(401);
    assertThat(wrongKey.headers().firstValue("x-amzn-errortype").orElseThrow())
        .startsWith("UnrecognizedClientException");
    assertThat(JSON.readTree(wrongKey.body()).has("message")).isTrue();
  }

  @Test
  void vertexRawPredictCountsTokensAndAnswersErrorsInGooglesShape() throws Exception {
    HttpResponse<String> count = gateway.post(VERTEX_PATH + "count-tokens:rawPredict", """
        {"anthropic_version":"vertex-2023-10-16","model":"claude-sonnet-4-5@20250929",
         "messages":[{"role":"user","content":"count me"}]}""", "authorization", "Bearer " + KEY);
    assertThat(count.statusCode()).as(count.body()).isEqualTo(200);
    assertThat(JSON.readTree(count.body()).path("input_tokens").asLong()).isPositive();

    HttpResponse<String> unknown = gateway.post(VERTEX_PATH + "claude-nothing@20250101:rawPredict",
        "{\"anthropic_version\":\"vertex-2023-10-16\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\","
            + "\"content\":\"hi\"}]}", "authorization", "Bearer " + KEY);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(unknown.body()).at("/error/status").asText()).isEqualTo("NOT_FOUND");
    assertThat(JSON.readTree(unknown.body()).at("/error/code").asInt()).isEqualTo(404);
  }

  @Test
  void anthropicBetaReachesTheUpstreamUnchangedAndItsErrorBodiesComeBackUnmodified() throws Exception {
    String request = "{\"model\":\"" + MODEL + "\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":"
        + "\"beta please\"}]}";
    HttpResponse<String> ok = gateway.post("/v1/messages", request, "x-api-key", KEY, "anthropic-version",
        "2023-06-01", "anthropic-beta", "interleaved-thinking-2025-05-14,claude-code-20250219");
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(lastSent().headers().get("anthropic-beta"))
        .isEqualTo("interleaved-thinking-2025-05-14,claude-code-20250219");

    emulator.injectFault(Fault.status(400));
    HttpResponse<String> refused = gateway.post("/v1/messages", request, "x-api-key", KEY, "anthropic-version",
        "2023-06-01");
    assertThat(refused.statusCode()).isEqualTo(400);
    // the emulator's own request id, in its body: relayed as it came, not rewritten by the gateway
    assertThat(JSON.readTree(refused.body()).path("request_id").asText())
        .isNotBlank().isEqualTo(refused.headers().firstValue("request-id").orElseThrow());
  }

  private static CapturedRequest lastSent() {
    List<CapturedRequest> sent = emulator.capturedRequests("anthropic-1");
    return sent.get(sent.size() - 1);
  }
}
