package dev.affinity.provider.vertex;

import dev.affinity.model.RouteKind;
import dev.affinity.emulator.CapturedRequest;
import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.model.CallOutcome;
import dev.affinity.model.GatewayReply;
import dev.affinity.model.GatewayRequest;
import dev.affinity.model.Operation;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.config.ConfigLoader;
import dev.affinity.model.config.Deployment;
import dev.affinity.provider.MovableClock;
import dev.affinity.provider.ProviderVerticle;
import dev.affinity.provider.Replies;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static dev.affinity.provider.Replies.await;
import static dev.affinity.provider.Replies.readAll;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Gemini on Vertex AI through the verticle, against the emulator's Vertex accounts: the same service-account tokens
 * as for Claude, the Gemini API's translation both ways, and the project's implicit cache read by a repeated prompt.
 */
class VertexGeminiEmulatorTest {

  private static final String EMAIL = "gateway@proj-one.iam.gserviceaccount.com";
  private static final String MODEL = "gemini-2.5-flash";

  private static KeyPair keys;

  @TempDir
  Path dir;

  private final MovableClock clock = new MovableClock(Instant.now());
  private final BlockingQueue<CallOutcome> usage = new LinkedBlockingQueue<>();
  private Vertx vertx;
  private ProviderVerticle provider;
  private UpstreamEmulator emulator;

  @BeforeAll
  static void generateKeys() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    keys = generator.generateKeyPair();
  }

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions().setPort(0)
        .addVertexAccount("vertex-1", "proj-one", EMAIL, (RSAPublicKey) keys.getPublic())));
    provider = new VertexVerticle(VertexCredentialSource.standard(), clock);
    await(vertx.deployVerticle(provider));
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  @Test
  void aRepeatedLongPromptIsReadFromTheImplicitCacheWhenStreamed() throws Exception {
    Deployment deployment = deployment("proj-one");

    GatewayReply first = await(call(deployment, Operation.MESSAGES, false));
    assertThat(first.status()).as(first.body() == null ? "" : first.body().toString()).isEqualTo(200);
    JsonObject message = new JsonObject(first.body());
    assertThat(message.getString("type")).isEqualTo("message");
    assertThat(message.getJsonArray("content").getJsonObject(0).getString("text")).isNotBlank();
    CallOutcome written = usage.poll(10, TimeUnit.SECONDS);
    assertThat(written.usage().inputTokens()).isGreaterThan(1024);
    assertThat(written.usage().cacheReadInputTokens()).isZero();

    GatewayReply second = await(call(deployment, Operation.MESSAGES, true));
    assertThat(second.headers().get("content-type")).startsWith("text/event-stream");
    String sse = readAll(second);
    assertThat(sse).startsWith("event: message_start\ndata: {").contains("event: content_block_delta\n")
        .contains("event: message_stop\n");
    CallOutcome read = usage.poll(10, TimeUnit.SECONDS);
    assertThat(read.errorType()).isNull();
    assertThat(read.usage().cacheReadInputTokens()).isGreaterThanOrEqualTo(1024)
        .isLessThanOrEqualTo(written.usage().inputTokens());
    assertThat(read.usage().outputTokens()).isPositive();

    CapturedRequest streamed = emulator.capturedRequests("vertex-1").get(1);
    assertThat(streamed.uri()).isEqualTo("/v1/projects/proj-one/locations/us-central1/publishers/google/models/"
        + MODEL + ":streamGenerateContent?alt=sse");
    assertThat(new JsonObject(streamed.body()).containsKey("systemInstruction")).isTrue();
    assertThat(streamed.header("anthropic-beta")).isNull();
  }

  @Test
  void anOpenAiClientGetsAChatCompletionWithTheCachedTokens() throws Exception {
    Deployment deployment = deployment("proj-one");
    await(call(deployment, Operation.CHAT_COMPLETIONS, false));

    GatewayReply reply = await(call(deployment, Operation.CHAT_COMPLETIONS, false));

    assertThat(reply.status()).isEqualTo(200);
    JsonObject completion = new JsonObject(reply.body());
    assertThat(completion.getString("object")).isEqualTo("chat.completion");
    assertThat(completion.getJsonObject("usage").getJsonObject("prompt_tokens_details").getLong("cached_tokens"))
        .isGreaterThanOrEqualTo(1024);
  }

  @Test
  void tokensAreCountedByTheModel() throws Exception {
    GatewayReply reply = await(call(deployment("proj-one"), Operation.COUNT_TOKENS, false));

    assertThat(reply.status()).isEqualTo(200);
    assertThat(new JsonObject(reply.body()).getLong("input_tokens")).isGreaterThan(1024);
    assertThat(emulator.capturedRequests("vertex-1").get(0).uri()).endsWith("/models/" + MODEL + ":countTokens");
  }

  @Test
  void anotherProjectsDeploymentIsDeniedNamingTheProject() throws Exception {
    GatewayReply reply = await(call(deployment("proj-two"), Operation.MESSAGES, false));

    assertThat(reply.status()).isEqualTo(403);
    JsonObject error = new JsonObject(reply.body()).getJsonObject("error");
    assertThat(error.getString("type")).isEqualTo("permission_error");
    assertThat(error.getString("message")).contains("proj-two");
  }

  private Deployment deployment(String project) throws Exception {
    return ConfigLoader.parse("""
        model_list:
        - model_name: gemini-flash
          litellm_params:
            model: vertex_ai/%s
            vertex_project: %s
            vertex_location: us-central1
            vertex_credentials: %s
            api_base: %s
        """.formatted(MODEL, project, keyFile(), emulator.baseUrl()), Map.of()).deployments().get(0);
  }

  private Path keyFile() throws Exception {
    return ServiceAccountKeyFile.write(dir, EMAIL, keys, emulator.baseUrl());
  }

  private Future<GatewayReply> call(Deployment deployment, Operation operation, boolean stream) {
    JsonObject body = new JsonObject().put("model", "gemini-flash").put("max_tokens", 32).put("stream", stream)
        .put("system", "You are a careful assistant. ".repeat(400))
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "What is 2 + 2?")));
    GatewayRequest request = new GatewayRequest("req-1", operation, "gemini-flash", stream, "default",
        Map.of("anthropic-beta", "interleaved-thinking-2025-05-14"), null, body.toBuffer(), null);
    ProviderCall call = new ProviderCall(request, deployment, body.toBuffer(), RouteKind.UNPINNED, 10_000, System.nanoTime(),
        false);
    return Replies.outcomeInto(provider.call(call), usage);
  }
}
