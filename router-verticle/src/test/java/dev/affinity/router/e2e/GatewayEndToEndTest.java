package dev.affinity.router.e2e;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.HttpResponseFor;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.affinity.emulator.AccountCounters;
import dev.affinity.emulator.CapturedRequest;
import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.Fault;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.emulator.workload.AgentWorkload;
import dev.affinity.router.LogCapture;
import dev.affinity.router.TestGateway;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;


import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/** One node in front of the emulator: the request path, pass-through fidelity and every error the gateway makes. */
class GatewayEndToEndTest {

  private static final String MASTER_KEY = "sk-gateway-master-0123456789";
  private static final String ALIAS = "claude-sonnet-4-5";
  private static final String UPSTREAM_MODEL = "claude-sonnet-4-5-20250929";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Vertx vertx;
  private static UpstreamEmulator emulator;
  private static TestGateway gateway;
  private static LogCapture logs;
  private static int closedPort;

  @BeforeAll
  static void start() throws Exception {
    logs = LogCapture.install();
    vertx = Vertx.vertx();
    emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions()
        .addAccount("acct-1", "sk-emu-key-1")
        .addAccount("acct-2", "sk-emu-key-2")
        .addAccount("acct-3", "sk-emu-key-3")
        .addAccount("slow", "sk-emu-key-slow")
        .setLatency(LatencyModel.ZERO)));
    closedPort = TestGateway.freePort();
    String api = emulator.baseUrl();
    gateway = TestGateway.start("""
        model_list:
          - model_name: %1$s
            litellm_params: {model: anthropic/%2$s, api_key: sk-emu-key-1, api_base: %3$s}
            model_info: {id: acct-1}
          - model_name: %1$s
            litellm_params: {model: anthropic/%2$s, api_key: sk-emu-key-2, api_base: %3$s}
            model_info: {id: acct-2}
          - model_name: %1$s
            litellm_params: {model: anthropic/%2$s, api_key: sk-emu-key-3, api_base: %3$s}
            model_info: {id: acct-3}
          - model_name: broken
            litellm_params: {model: anthropic/%2$s, api_key: sk-unused-key, api_base: "http://127.0.0.1:%4$d"}
            model_info: {id: nowhere}
          - model_name: slow
            litellm_params: {model: anthropic/%2$s, api_key: sk-emu-key-slow, api_base: %3$s, timeout: 1}
            model_info: {id: slow}
          - model_name: "claude-haiku-*"
            litellm_params: {model: "anthropic/claude-haiku-*", api_key: sk-emu-key-1, api_base: %3$s}
            model_info: {id: haiku-any}
        general_settings:
          master_key: %5$s
          max_request_size_mb: 1
        """.formatted(ALIAS, UPSTREAM_MODEL, api, closedPort, MASTER_KEY));
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
    logs.close();
  }

  @AfterEach
  void noSecretEverLogged() {
    assertThat(logs.all()).doesNotContain(MASTER_KEY, "sk-emu-key-1", "sk-emu-key-2", "sk-emu-key-3",
        "sk-emu-key-slow", "sk-unused-key");
  }

  private static AnthropicClient client() {
    return AnthropicOkHttpClient.builder().baseUrl(gateway.baseUrl()).apiKey(MASTER_KEY).maxRetries(0).build();
  }

  private static MessageCreateParams hello() {
    return MessageCreateParams.builder().model(ALIAS).maxTokens(64).addUserMessage("Say hello.").build();
  }

  private static long totalRequests() {
    return emulator.counters().values().stream().mapToLong(AccountCounters::requests).sum();
  }

  @Test
  void officialClientNonStreaming() {
    long before = totalRequests();
    HttpResponseFor<Message> raw = client().messages().withRawResponse().create(hello());
    Message message = raw.parse();
    assertThat(message.content()).isNotEmpty();
    assertThat(message.content().get(0).text()).isPresent();
    assertThat(message.model().asString()).isEqualTo(UPSTREAM_MODEL);
    assertThat(message.usage().inputTokens()).isPositive();
    assertThat(message.usage().outputTokens()).isPositive();
    assertThat(raw.headers().values("x-affinity-deployment")).singleElement().isIn("acct-1", "acct-2", "acct-3");
    assertThat(raw.headers().values("request-id")).singleElement().asString().startsWith("req_");
    assertThat(raw.headers().values("anthropic-ratelimit-requests-limit")).isNotEmpty();
    assertThat(totalRequests()).isEqualTo(before + 1);
  }

  @Test
  void officialClientStreaming() {
    MessageAccumulator accumulator = MessageAccumulator.create();
    List<String> eventTypes = new ArrayList<>();
    try (StreamResponse<RawMessageStreamEvent> stream = client().messages().createStreaming(hello())) {
      stream.stream().forEach(event -> {
        accumulator.accumulate(event);
        if (event.isMessageStart()) {
          eventTypes.add("message_start");
        } else if (event.isMessageStop()) {
          eventTypes.add("message_stop");
        } else if (event.isContentBlockDelta()) {
          eventTypes.add("content_block_delta");
        }
      });
    }
    Message message = accumulator.message();
    assertThat(eventTypes.get(0)).isEqualTo("message_start");
    assertThat(eventTypes).contains("content_block_delta").last().isEqualTo("message_stop");
    assertThat(message.content().get(0).text().orElseThrow().text()).isNotBlank();
    assertThat(message.usage().outputTokens()).isPositive();
  }

  @Test
  void officialClientCountTokens() {
    long tokens = client().messages().countTokens(MessageCountTokensParams.builder().model(ALIAS)
        .addUserMessage("How many tokens is this?").build()).inputTokens();
    assertThat(tokens).isPositive();
  }

  @Test
  void agentShapedRequestArrivesByteEqualApartFromModelAndAuth() throws Exception {
    byte[] fixture = AgentWorkload.agentRequestFixture(7);
    String body = new String(fixture, StandardCharsets.UTF_8);
    assertThat(body).contains("\"model\":\"" + AgentWorkload.DEFAULT_MODEL + "\"");
    HttpResponse<String> response = gateway.post(AgentWorkload.REQUEST_PATH, body,
        "x-api-key", MASTER_KEY,
        "content-type", "application/json",
        "anthropic-version", "2023-06-01",
        "anthropic-beta", "claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27",
        "accept-encoding", "gzip, deflate, br, zstd");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    String deployment = response.headers().firstValue("x-affinity-deployment").orElseThrow();

    CapturedRequest arrived = emulator.capturedRequests(deployment, 1).get(0);
    assertThat(arrived.uri()).isEqualTo(AgentWorkload.REQUEST_PATH);
    assertThat(arrived.body()).isEqualTo(body.replace("\"model\":\"" + AgentWorkload.DEFAULT_MODEL + "\"",
        "\"model\":\"" + UPSTREAM_MODEL + "\""));
    assertThat(arrived.header("anthropic-beta"))
        .isEqualTo("claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27");
    assertThat(arrived.header("anthropic-version")).isEqualTo("2023-06-01");
    assertThat(arrived.header("authorization")).isNull();

    // the gateway read the usage out of the stream as it relayed it, and logged it with the deployment
    Map<String, Long> usage = streamedUsage(response.body());
    String requestId = response.headers().firstValue("x-affinity-request-id").orElseThrow();
    assertThat(usage.get("cache_creation_input_tokens")).isPositive();
    // the request line is written on a thread of its own, a moment after the answer
    TestGateway.eventually(logs::all, all -> all.contains("request=" + requestId + " model="));
    assertThat(logs.lines()).anySatisfy(line -> assertThat(line)
        .contains("request=" + requestId, "deployment=" + deployment, "status=200", "stream=true",
            "input=" + usage.get("input_tokens"),
            "cache_write=" + usage.get("cache_creation_input_tokens"),
            "cache_read=" + usage.get("cache_read_input_tokens"),
            "output=" + usage.get("output_tokens")));
  }

  /** The final usage of an Anthropic SSE answer: message_start's, overwritten by the cumulative message_delta's. */
  private static Map<String, Long> streamedUsage(String events) throws Exception {
    Map<String, Long> usage = new java.util.HashMap<>();
    for (String line : events.split("\n")) {
      if (!line.startsWith("data: ")) {
        continue;
      }
      JsonNode data = JSON.readTree(line.substring(6));
      JsonNode fields = switch (data.path("type").asText()) {
        case "message_start" -> data.path("message").path("usage");
        case "message_delta" -> data.path("usage");
        default -> null;
      };
      if (fields != null) {
        fields.fields().forEachRemaining(field -> {
          if (field.getValue().isNumber()) {
            usage.put(field.getKey(), field.getValue().asLong());
          }
        });
      }
    }
    return usage;
  }

  @Test
  void streamedAnswerIsRelayedInOrder() throws Exception {
    ObjectNode request = (ObjectNode) JSON.readTree(AgentWorkload.agentRequestFixture(11));
    request.put("stream", true).put("model", ALIAS);
    HttpResponse<String> response = gateway.post("/v1/messages", request.toString(),
        "x-api-key", MASTER_KEY, "anthropic-version", "2023-06-01");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type").orElseThrow()).startsWith("text/event-stream");
    List<String> events = new ArrayList<>();
    for (String line : response.body().split("\n")) {
      if (line.startsWith("event: ")) {
        events.add(line.substring(7));
      }
    }
    assertThat(events).startsWith("message_start", "content_block_start", "ping", "content_block_delta")
        .endsWith("content_block_stop", "message_delta", "message_stop");
    assertThat(streamedUsage(response.body()).get("output_tokens")).isPositive();
  }

  @Test
  void wildcardAliasSendsTheRequestedModelUpstream() throws Exception {
    HttpResponse<String> response = gateway.post("/v1/messages",
        "{\"model\":\"claude-haiku-4-5-20251001\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
        "x-api-key", MASTER_KEY, "anthropic-version", "2023-06-01");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("x-affinity-deployment")).hasValue("haiku-any");
    assertThat(JSON.readTree(response.body()).path("model").asText()).isEqualTo("claude-haiku-4-5-20251001");
  }

  @Test
  void bearerTokenIsAcceptedToo() throws Exception {
    HttpResponse<String> response = gateway.post("/v1/messages", goodBody(), "authorization", "Bearer " + MASTER_KEY,
        "anthropic-version", "2023-06-01");
    assertThat(response.statusCode()).isEqualTo(200);
  }

  @Test
  void modelsHealthAndReadiness() throws Exception {
    HttpResponse<String> models = gateway.get("/v1/models", "x-api-key", MASTER_KEY);
    assertThat(models.statusCode()).isEqualTo(200);
    JsonNode list = JSON.readTree(models.body());
    List<String> ids = new ArrayList<>();
    list.path("data").forEach(model -> ids.add(model.path("id").asText()));
    assertThat(ids).contains(ALIAS, "broken", "slow");
    assertThat(gateway.get("/health/liveliness").statusCode()).isEqualTo(200);
    assertThat(gateway.get("/health/liveness").body()).as("LiteLLM's alias").contains("alive");
    HttpResponse<String> ready = gateway.get("/health/readiness");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(ready.body()).path("cluster_members").asInt()).isEqualTo(1);
  }

  // ---- errors: each one in Anthropic's shape, then the node still serves ----

  @Test
  void malformedJsonIs400() throws Exception {
    expectError(gateway.post("/v1/messages", "{\"model\": \"x\", \"messages\": [", auth()), 400,
        "invalid_request_error", "malformed JSON");
  }

  @Test
  void missingOrIllTypedFieldsAre400() throws Exception {
    expectError(gateway.post("/v1/messages", "{\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
        auth()), 400, "invalid_request_error", "model");
    expectError(gateway.post("/v1/messages", "{\"model\":42,\"max_tokens\":5,\"messages\":[]}", auth()), 400,
        "invalid_request_error", "model");
    expectError(gateway.post("/v1/messages", "{\"model\":\"" + ALIAS + "\",\"max_tokens\":5}", auth()), 400,
        "invalid_request_error", "messages");
    expectError(gateway.post("/v1/messages", "{\"model\":\"" + ALIAS + "\",\"max_tokens\":5,\"messages\":\"hi\"}",
        auth()), 400, "invalid_request_error", "messages");
    expectError(gateway.post("/v1/messages", "{\"model\":\"" + ALIAS + "\",\"max_tokens\":5,\"messages\":[]}",
        auth()), 400, "invalid_request_error", "messages");
    expectError(gateway.post("/v1/messages", "{\"model\":\"" + ALIAS
        + "\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", auth()), 400, "invalid_request_error",
        "max_tokens");
    expectError(gateway.post("/v1/messages", "{\"model\":\"" + ALIAS
        + "\",\"max_tokens\":\"lots\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", auth()), 400,
        "invalid_request_error", "max_tokens");
    expectError(gateway.post("/v1/messages", "[1,2,3]", auth()), 400, "invalid_request_error", "object");
    expectError(gateway.post("/v1/messages", goodBody(), "x-api-key", MASTER_KEY, "content-type", "text/plain"),
        400, "invalid_request_error", "content-type");
  }

  @Test
  void missingOrWrongKeyIs401() throws Exception {
    expectError(gateway.post("/v1/messages", goodBody()), 401, "authentication_error", "x-api-key");
    expectError(gateway.post("/v1/messages", goodBody(), "x-api-key", "sk-wrong"), 401, "authentication_error",
        "x-api-key");
    expectError(gateway.get("/v1/models", "x-api-key", "sk-wrong"), 401, "authentication_error", "x-api-key");
  }

  @Test
  void unknownAliasIs404AndListsTheAliases() throws Exception {
    HttpResponse<String> response = gateway.post("/v1/messages", goodBody().replace(ALIAS, "gpt-nope"), auth());
    expectError(response, 404, "not_found_error", "gpt-nope");
    assertThat(response.body()).contains(ALIAS, "broken", "slow");
  }

  @Test
  void bodyOverTheLimitIs413() throws Exception {
    String huge = "{\"model\":\"" + ALIAS + "\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\""
        + "x".repeat(1_200_000) + "\"}]}";
    expectError(gateway.post("/v1/messages", huge, auth()), 413, "request_too_large", "limit");
  }

  @Test
  void unreachableUpstreamIs502() throws Exception {
    HttpResponse<String> response = gateway.post("/v1/messages", goodBody().replace(ALIAS, "broken"), auth());
    expectError(response, 502, "api_error", "nowhere");
  }

  @Test
  void upstreamTimeoutIs504() throws Exception {
    emulator.injectFault(Fault.stall().forAccount("slow").times(1));
    HttpResponse<String> response = gateway.post("/v1/messages", goodBody().replace(ALIAS, "slow"), auth());
    expectError(response, 504, "timeout_error", "slow");
  }

  @Test
  void upstreamErrorsAreRelayedWithTheirHeaders() throws Exception {
    emulator.injectFault(Fault.status(429).retryAfter(java.time.Duration.ofSeconds(7)).forAccount("slow").times(1));
    HttpResponse<String> response = gateway.post("/v1/messages", goodBody().replace(ALIAS, "slow"), auth());
    expectError(response, 429, "rate_limit_error", "");
    assertThat(response.headers().firstValue("retry-after")).hasValue("7");
    assertThat(response.headers().firstValue("x-affinity-deployment")).hasValue("slow");
  }

  @Test
  void unknownPathIs404InAnthropicShape() throws Exception {
    expectError(gateway.get("/v1/nothing-here", "x-api-key", MASTER_KEY), 404, "not_found_error", "/v1/nothing-here");
  }

  private static String[] auth() {
    return new String[] {"x-api-key", MASTER_KEY, "anthropic-version", "2023-06-01"};
  }

  private static String goodBody() {
    return "{\"model\":\"" + ALIAS + "\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
  }

  /** Checks the error's status and shape, then that the node still answers a good request. */
  private static void expectError(HttpResponse<String> response, int status, String type, String mentions)
      throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.path("type").asText()).isEqualTo("error");
    assertThat(body.path("error").path("type").asText()).isEqualTo(type);
    assertThat(body.path("error").path("message").asText()).contains(mentions);
    assertThat(response.headers().firstValue("content-type").orElse("")).startsWith("application/json");
    HttpResponse<String> next = gateway.post("/v1/messages", goodBody(), auth());
    assertThat(next.statusCode()).as("a good request after a %d", status).isEqualTo(200);
  }

}
