package dev.affinity.provider.vertex;

import dev.affinity.model.RouteKind;
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

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static dev.affinity.provider.Replies.await;
import static dev.affinity.provider.Replies.awaitFailure;
import static dev.affinity.provider.Replies.readAll;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The verticle against the upstream emulator's Vertex AI accounts, with Google's own auth library: the service
 * account key signs a JWT, the emulator's token endpoint checks it and issues the access token, rawPredict checks
 * the token, and the account's prompt cache makes the second call a cache read.
 */
class VertexEmulatorTest {

  private static final String EMAIL = "gateway@proj-one.iam.gserviceaccount.com";
  private static final String MODEL = "claude-sonnet-4-5@20250929";

  private static KeyPair keys;
  private static KeyPair strangerKeys;

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
    strangerKeys = generator.generateKeyPair();
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
  void aPrefixWrittenByOneCallIsReadByTheNextStreamedOne() throws Exception {
    Deployment deployment = deployment("proj-one", keyFile(EMAIL, keys));

    GatewayReply first = await(call(deployment, Operation.MESSAGES, false));
    assertThat(first.status()).as(first.body() == null ? "" : first.body().toString()).isEqualTo(200);
    assertThat(new JsonObject(first.body()).getString("type")).isEqualTo("message");
    CallOutcome written = usage.poll(10, TimeUnit.SECONDS);
    assertThat(written.usage().cacheCreationInputTokens()).isGreaterThan(1024);

    GatewayReply second = await(call(deployment, Operation.MESSAGES, true));
    assertThat(second.headers().get("content-type")).startsWith("text/event-stream");
    String sse = readAll(second);
    assertThat(sse).startsWith("event: message_start\ndata: {").contains("event: message_stop\n");
    CallOutcome read = usage.poll(10, TimeUnit.SECONDS);
    assertThat(read.errorType()).isNull();
    assertThat(read.usage().cacheReadInputTokens()).isEqualTo(written.usage().cacheCreationInputTokens());
    assertThat(read.usage().outputTokens()).isPositive();
    assertThat(emulator.counters("vertex-1").requests()).isEqualTo(2);
    assertThat(emulator.capturedRequests("vertex-1").get(1).header("anthropic-beta"))
        .isEqualTo("interleaved-thinking-2025-05-14");
  }

  @Test
  void anExpiredTokenIsReplacedBeforeItIsRefused() throws Exception {
    Deployment deployment = deployment("proj-one", keyFile(EMAIL, keys));
    assertThat(await(call(deployment, Operation.MESSAGES, false)).status()).isEqualTo(200);

    // An hour later the emulator refuses the first token; the verticle must have fetched another.
    emulator.advanceClock(Duration.ofMinutes(61));
    clock.advance(Duration.ofMinutes(61));
    GatewayReply later = await(call(deployment, Operation.MESSAGES, false));

    assertThat(later.status()).as(later.body().toString()).isEqualTo(200);
  }

  @Test
  void inlineServiceAccountJsonWorksLikeAFile() throws Exception {
    String json = Files.readString(keyFile(EMAIL, keys));
    Deployment deployment = ConfigLoader.parse(config("proj-one", "os.environ/VERTEX_KEY"),
        Map.of("VERTEX_KEY", json)).deployments().get(0);

    assertThat(await(call(deployment, Operation.MESSAGES, false)).status()).isEqualTo(200);
  }

  @Test
  void anotherProjectsDeploymentIsDeniedNamingTheProject() throws Exception {
    Deployment deployment = deployment("proj-two", keyFile(EMAIL, keys));

    GatewayReply reply = await(call(deployment, Operation.MESSAGES, false));

    assertThat(reply.status()).isEqualTo(403);
    JsonObject error = new JsonObject(reply.body()).getJsonObject("error");
    assertThat(error.getString("type")).isEqualTo("permission_error");
    assertThat(error.getString("message")).contains("deployment " + deployment.id(), "project proj-two")
        .doesNotContain("ya29");
  }

  @Test
  void aKeyTheTokenEndpointRefusesFailsTheCallWithoutQuotingTheKey() throws Exception {
    Path stranger = keyFile(EMAIL, strangerKeys);
    Deployment deployment = deployment("proj-one", stranger);

    Throwable failure = awaitFailure(call(deployment, Operation.MESSAGES, false));

    assertThat(failure.getMessage()).contains("deployment " + deployment.id(), "project proj-one",
        "service account file " + stranger, "invalid_grant").doesNotContain("PRIVATE KEY");
    assertThat(usage.poll(10, TimeUnit.SECONDS).status()).isEqualTo(502);
  }

  @Test
  void anOpenAiClientGetsAChatCompletion() throws Exception {
    Deployment deployment = deployment("proj-one", keyFile(EMAIL, keys));

    GatewayReply reply = await(call(deployment, Operation.CHAT_COMPLETIONS, false));

    assertThat(reply.status()).isEqualTo(200);
    JsonObject completion = new JsonObject(reply.body());
    assertThat(completion.getString("object")).isEqualTo("chat.completion");
    assertThat(completion.getJsonObject("usage").getLong("prompt_tokens")).isPositive();
  }

  private Deployment deployment(String project, Path keyFile) throws Exception {
    return ConfigLoader.parse(config(project, keyFile.toString()), Map.of()).deployments().get(0);
  }

  private String config(String project, String credentials) {
    return """
        model_list:
        - model_name: claude-sonnet-4-5
          litellm_params:
            model: vertex_ai/%s
            vertex_project: %s
            vertex_location: us-east5
            vertex_credentials: %s
            api_base: %s
        """.formatted(MODEL, project, credentials, emulator.baseUrl());
  }

  private Path keyFile(String email, KeyPair pair) throws Exception {
    return ServiceAccountKeyFile.write(dir, email, pair, emulator.baseUrl());
  }

  private Future<GatewayReply> call(Deployment deployment, Operation operation, boolean stream) {
    JsonObject body = new JsonObject().put("model", MODEL).put("max_tokens", 32).put("stream", stream)
        .put("system", new JsonArray().add(new JsonObject().put("type", "text")
            .put("text", "You are a careful assistant. ".repeat(400))
            .put("cache_control", new JsonObject().put("type", "ephemeral"))))
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "What is 2 + 2?")));
    GatewayRequest request = new GatewayRequest("req-1", operation, "claude-sonnet-4-5", stream, "default",
        Map.of("anthropic-beta", "interleaved-thinking-2025-05-14"), null, body.toBuffer(), null);
    ProviderCall call = new ProviderCall(request, deployment, body.toBuffer(), RouteKind.UNPINNED, 10_000, System.nanoTime(),
        false);
    return Replies.outcomeInto(provider.call(call), usage);
  }
}
