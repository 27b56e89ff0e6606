package dev.affinity.provider.gemini;

import dev.affinity.model.RouteKind;
import static dev.affinity.provider.Replies.await;
import static dev.affinity.provider.Replies.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.model.CallOutcome;
import dev.affinity.model.GatewayReply;
import dev.affinity.model.GatewayRequest;
import dev.affinity.model.Operation;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.config.ConfigLoader;
import dev.affinity.model.config.Deployment;
import dev.affinity.provider.ProviderVerticle;
import dev.affinity.provider.Replies;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The verticle against the upstream emulator's Gemini API: Anthropic requests translated to generateContent, answers
 * and streams translated back, and the emulator's implicit cache turning a repeated long prompt into a cache read.
 */
class GeminiEmulatorTest {

  private static final String KEY = "gm-secret-key-1";
  private static final String ALIAS = "flash";

  private final BlockingQueue<CallOutcome> usage = new LinkedBlockingQueue<>();
  private Vertx vertx;
  private ProviderVerticle provider;
  private UpstreamEmulator emulator;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions().setPort(0).addAccount("gemini-1", KEY)));
    provider = new GeminiVerticle();
    await(vertx.deployVerticle(provider));
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  @Test
  void aLongPromptRepeatedInAStreamIsReadFromTheImplicitCache() throws Exception {
    Deployment deployment = deployment(KEY);

    GatewayReply first = await(call(deployment, Operation.MESSAGES, false, body()));
    assertThat(first.status()).as(first.body().toString()).isEqualTo(200);
    JsonObject message = new JsonObject(first.body());
    assertThat(message.getString("type")).isEqualTo("message");
    assertThat(message.getString("model")).isEqualTo(ALIAS);
    assertThat(message.getJsonArray("content").getJsonObject(0).getString("text")).isNotBlank();
    assertThat(message.getString("stop_reason")).isEqualTo("end_turn");
    CallOutcome cold = usage.poll(10, TimeUnit.SECONDS);
    assertThat(cold.usage().cacheReadInputTokens()).isZero();
    assertThat(cold.usage().inputTokens()).isGreaterThan(2048);

    GatewayReply second = await(call(deployment, Operation.MESSAGES, true, body()));
    assertThat(second.headers().get("content-type")).startsWith("text/event-stream");
    String sse = readAll(second);
    assertThat(sse).startsWith("event: message_start\ndata: {").contains("event: content_block_delta\n")
        .endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    CallOutcome warm = usage.poll(10, TimeUnit.SECONDS);
    assertThat(warm.errorType()).isNull();
    assertThat(warm.usage().cacheReadInputTokens()).isGreaterThan(2048);
    assertThat(warm.usage().promptTokens()).isEqualTo(cold.usage().promptTokens());
    assertThat(warm.usage().outputTokens()).isPositive();
    assertThat(emulator.capturedRequests("gemini-1")).hasSize(2)
        .allSatisfy(request -> assertThat(request.header("x-goog-api-key")).isEqualTo("REDACTED"));
    assertThat(emulator.capturedRequests("gemini-1").get(1).uri())
        .isEqualTo("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
  }

  @Test
  void aForcedToolComesBackAsToolUse() throws Exception {
    JsonObject body = body().put("tools", new JsonArray().add(new JsonObject().put("name", "weather")
            .put("description", "Weather of a city").put("input_schema", new JsonObject().put("type", "object")
                .put("$schema", "http://json-schema.org/draft-07/schema#").put("additionalProperties", false)
                .put("properties", new JsonObject().put("city", new JsonObject().put("type", "string")))
                .put("required", new JsonArray().add("city")))))
        .put("tool_choice", new JsonObject().put("type", "tool").put("name", "weather"));

    JsonObject message = new JsonObject(await(call(deployment(KEY), Operation.MESSAGES, false, body)).body());

    JsonObject block = message.getJsonArray("content").getJsonObject(0);
    assertThat(block.getString("type")).isEqualTo("tool_use");
    assertThat(block.getString("name")).isEqualTo("weather");
    assertThat(block.getString("id")).startsWith("toolu_");
    assertThat(block.getJsonObject("input").getValue("city")).isInstanceOf(String.class);
    assertThat(message.getString("stop_reason")).isEqualTo("tool_use");
  }

  @Test
  void anOpenAiClientGetsChunks() throws Exception {
    GatewayReply reply = await(call(deployment(KEY), Operation.CHAT_COMPLETIONS, true, body()));

    String sse = readAll(reply);
    assertThat(sse).startsWith("data: {").contains("\"object\":\"chat.completion.chunk\"")
        .endsWith("data: [DONE]\n\n");
  }

  @Test
  void countsTokens() throws Exception {
    GatewayReply reply = await(call(deployment(KEY), Operation.COUNT_TOKENS, false, body()));

    assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
    assertThat(new JsonObject(reply.body()).getLong("input_tokens")).isGreaterThan(2048);
  }

  @Test
  void aWrongKeyIsAnAuthenticationErrorThatDoesNotQuoteIt() throws Exception {
    Deployment deployment = deployment("gm-wrong-key");

    GatewayReply reply = await(call(deployment, Operation.MESSAGES, false, body()));

    assertThat(reply.status()).isEqualTo(401);
    JsonObject error = new JsonObject(reply.body());
    assertThat(error.getString("type")).isEqualTo("error");
    assertThat(error.getJsonObject("error").getString("type")).isEqualTo("authentication_error");
    assertThat(error.getJsonObject("error").getString("message")).contains("deployment " + deployment.id())
        .doesNotContain("gm-wrong-key");
    assertThat(usage.poll(10, TimeUnit.SECONDS).errorType()).isEqualTo("authentication_error");
  }

  private Deployment deployment(String key) throws Exception {
    return ConfigLoader.parse("""
        model_list:
        - model_name: %s
          litellm_params:
            model: gemini/gemini-2.5-flash
            api_key: %s
            api_base: %s
        """.formatted(ALIAS, key, emulator.baseUrl()), Map.of()).deployments().get(0);
  }

  /** An Anthropic request whose system prompt (about 2,900 tokens) is past Flash's 1,024-token cache minimum. */
  private static JsonObject body() {
    return new JsonObject().put("model", ALIAS).put("max_tokens", 32)
        .put("system", new JsonArray().add(new JsonObject().put("type", "text")
            .put("text", "You are a careful assistant. ".repeat(400))
            .put("cache_control", new JsonObject().put("type", "ephemeral"))))
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "What is 2 + 2?")));
  }

  private Future<GatewayReply> call(Deployment deployment, Operation operation, boolean stream, JsonObject body) {
    body.put("stream", stream);
    GatewayRequest request = new GatewayRequest("req-1", operation, ALIAS, stream, "default", Map.of(), null,
        body.toBuffer(), null);
    ProviderCall call = new ProviderCall(request, deployment, body.toBuffer(), RouteKind.UNPINNED, 10_000, System.nanoTime(),
        false);
    return Replies.outcomeInto(provider.call(call), usage);
  }
}
