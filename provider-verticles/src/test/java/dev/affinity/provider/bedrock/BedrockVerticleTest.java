package dev.affinity.provider.bedrock;

import dev.affinity.model.CallOutcome;
import dev.affinity.model.RouteKind;
import dev.affinity.model.GatewayReply;
import dev.affinity.model.GatewayRequest;
import dev.affinity.model.Operation;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.TokenUsage;
import dev.affinity.model.config.ConfigLoader;
import dev.affinity.model.config.Deployment;
import dev.affinity.provider.MovableClock;
import dev.affinity.provider.ProviderVerticle;
import dev.affinity.provider.Replies;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
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

/** The verticle against a fake Bedrock that checks signatures as AWS does. */
class BedrockVerticleTest {

  private static final String MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";

  @TempDir
  Path aws;

  private final MovableClock clock = new MovableClock(Instant.parse("2025-10-01T12:00:00Z"));
  private final BlockingQueue<CallOutcome> usage = new LinkedBlockingQueue<>();
  private Vertx vertx;
  private ProviderVerticle provider;
  private FakeBedrock bedrock;
  private int port;

  @BeforeEach
  void start() throws Exception {
    writeCredentials("AKIAACCOUNTONE000001", "secret-one");
    vertx = Vertx.vertx();
    bedrock = new FakeBedrock().secret("AKIAACCOUNTONE000001", "secret-one")
        .secret("AKIAACCOUNTONE000002", "secret-rotated");
    port = await(bedrock.start(vertx));
    AwsCredentialSource source = AwsCredentialSource.of(aws.resolve("credentials"), aws.resolve("config"));
    provider = new BedrockVerticle(source, clock);
    await(vertx.deployVerticle(provider));  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  private void writeCredentials(String keyId, String secret) throws Exception {
    Files.writeString(aws.resolve("credentials"), """
        [default]
        aws_access_key_id = AKIANOTTHISONE000000
        aws_secret_access_key = not-this-one

        [account-1]
        aws_access_key_id = %s
        aws_secret_access_key = %s
        """.formatted(keyId, secret));
  }

  private Deployment deployment(String profile, String model) throws Exception {
    return ConfigLoader.parse("""
        model_list:
        - model_name: sonnet
          litellm_params:
            model: bedrock/%s
            aws_profile_name: %s
            aws_region_name: us-west-2
            aws_bedrock_runtime_endpoint: http://127.0.0.1:%d
          model_info: {id: bedrock-%s}
        """.formatted(model, profile, port, profile), Map.of()).deployments().get(0);
  }

  private Future<GatewayReply> call(Deployment deployment, Operation operation, String body, Map<String, String> headers) {
    JsonObject json = new JsonObject(body);
    GatewayRequest request = new GatewayRequest("req-1", operation, "sonnet", json.getBoolean("stream", false),
        "default", headers, null, Buffer.buffer(body), null);
    ProviderCall call = new ProviderCall(request, deployment, Buffer.buffer(body), RouteKind.UNPINNED, 10_000,
        System.nanoTime(), false);
    return Replies.outcomeInto(provider.call(call), usage);
  }

  private static String body(boolean stream) {
    return body(MODEL, stream);
  }

  /** The body as the router hands it over: the client's, with {@code model} already the upstream id. */
  private static String body(String model, boolean stream) {
    return """
        {"model":"%s","max_tokens":64,"stream":%s,"cache_control":{"type":"ephemeral"},
         "messages":[{"role":"user","content":[{"type":"text","text":"hi","cache_control":{"type":"ephemeral"}}]}]}
        """.formatted(model, stream);
  }

  @Test
  void invokeIsSignedForTheEndpointCalledAndAnswersInAnthropicsFormat() throws Exception {
    GatewayReply reply = await(call(deployment("account-1", MODEL), Operation.MESSAGES, body(false),
        Map.of("anthropic-beta", "claude-code-20250219,interleaved-thinking-2025-05-14")));

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body().toString()).isEqualTo(FakeBedrock.MESSAGE);
    assertThat(reply.headers()).containsEntry("content-type", "application/json")
        .containsEntry("x-amzn-requestid", "req-invoke");
    FakeBedrock.Received received = bedrock.received.get(0);
    assertThat(received.path()).isEqualTo("/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke");
    assertThat(received.accessKeyId()).isEqualTo("AKIAACCOUNTONE000001");
    assertThat(received.region()).isEqualTo("us-west-2");
    assertThat(received.service()).isEqualTo("bedrock");
    assertThat(received.signedHeaders()).contains("host", "x-amz-date", "content-type");
    assertThat(received.body().fieldNames()).doesNotContain("model", "stream", "cache_control");
    assertThat(received.body().getString("anthropic_version")).isEqualTo("bedrock-2023-05-31");
    assertThat(received.body().getJsonArray("anthropic_beta").getList())
        .containsExactly("interleaved-thinking-2025-05-14");
    CallOutcome report = usage.poll(10, TimeUnit.SECONDS);
    assertThat(report.status()).isEqualTo(200);
    assertThat(report.usage()).isEqualTo(new TokenUsage(3, 0, 0, 0, 2048, 2));
  }

  @Test
  void aStreamReachesTheClientAsAnthropicServerSentEvents() throws Exception {
    GatewayReply reply = await(call(deployment("account-1", MODEL), Operation.MESSAGES, body(true), Map.of()));

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.headers()).containsEntry("content-type", "text/event-stream; charset=utf-8");
    assertThat(readAll(reply)).isEqualTo(EventStreamToSseTest.expectedSse(EventStreamToSseTest.EVENTS));
    assertThat(bedrock.received.get(0).path()).endsWith("%3A0/invoke-with-response-stream");
    CallOutcome report = usage.poll(10, TimeUnit.SECONDS);
    assertThat(report.usage()).isEqualTo(new TokenUsage(12, 2048, 2048, 0, 4096, 7));
    assertThat(report.errorType()).isNull();
  }

  @Test
  void bedrockErrorsReachTheClientInAnthropicsShape() throws Exception {
    GatewayReply reply = await(call(deployment("account-1", "throttled.anthropic.claude"), Operation.MESSAGES,
        body("throttled.anthropic.claude", false), Map.of()));

    assertThat(reply.status()).isEqualTo(429);
    assertThat(new JsonObject(reply.body())).isEqualTo(new JsonObject().put("type", "error").put("error",
        new JsonObject().put("type", "rate_limit_error")
            .put("message", "Bedrock ThrottlingException: Too many requests, please wait before trying again.")));
    assertThat(usage.poll(10, TimeUnit.SECONDS).errorType()).isEqualTo("rate_limit_error");
  }

  @Test
  void countTokensIsBedrocksCountTokensInAnthropicsShape() throws Exception {
    GatewayReply reply = await(call(deployment("account-1", MODEL), Operation.COUNT_TOKENS, """
        {"model":"%s","messages":[{"role":"user","content":"hi"}]}""".formatted(MODEL), Map.of()));
    assertThat(reply.status()).isEqualTo(200);
    assertThat(new JsonObject(reply.body())).isEqualTo(new JsonObject().put("input_tokens", 42));
    assertThat(bedrock.received.get(0).path()).endsWith("%3A0/count-tokens");
  }

  @Test
  void aProfileThatCannotBeLoadedFailsTheCallWithoutCallingBedrock() throws Exception {
    Throwable failure = awaitFailure(call(deployment("nobody", MODEL), Operation.MESSAGES, body(false), Map.of()));

    assertThat(failure).isInstanceOf(ReplyException.class);
    assertThat(((ReplyException) failure).failureCode()).isEqualTo(502);
    assertThat(failure.getMessage()).contains("credentials for profile 'nobody' could not be loaded: ")
        .contains("deployment bedrock-nobody").doesNotContain("secret-one").doesNotContain("AKIA")
        .doesNotContain("not-this-one");
    assertThat(bedrock.received).isEmpty();
    assertThat(usage.poll(10, TimeUnit.SECONDS).status()).isEqualTo(502);
  }

  @Test
  void rotatedKeysInTheProfileAreUsedAfterTheReloadPeriodAndNotBefore() throws Exception {
    Deployment deployment = deployment("account-1", MODEL);
    await(call(deployment, Operation.MESSAGES, body(false), Map.of()));
    writeCredentials("AKIAACCOUNTONE000002", "secret-rotated");

    clock.advance(DeploymentCredentials.RELOAD_EVERY.minusSeconds(1));
    assertThat(await(call(deployment, Operation.MESSAGES, body(false), Map.of())).status()).isEqualTo(200);
    clock.advance(Duration.ofSeconds(2));
    // the first call past the period still signs with the keys in hand while the files are read again
    await(call(deployment, Operation.MESSAGES, body(false), Map.of()));
    GatewayReply afterReload = awaitRetrying(() -> call(deployment, Operation.MESSAGES, body(false), Map.of()),
        () -> bedrock.received.get(bedrock.received.size() - 1).accessKeyId().equals("AKIAACCOUNTONE000002"));

    assertThat(afterReload.status()).isEqualTo(200);
    assertThat(bedrock.received).extracting(FakeBedrock.Received::accessKeyId).startsWith(
        "AKIAACCOUNTONE000001", "AKIAACCOUNTONE000001", "AKIAACCOUNTONE000001").endsWith("AKIAACCOUNTONE000002");
  }

  /** Calls until {@code done} holds (a background refresh lands between calls), a bounded number of times. */
  private static GatewayReply awaitRetrying(java.util.function.Supplier<Future<GatewayReply>> call,
                                            java.util.function.BooleanSupplier done) throws Exception {
    GatewayReply reply = null;
    for (int attempt = 0; attempt < 50; attempt++) {
      reply = await(call.get());
      if (done.getAsBoolean()) {
        return reply;
      }
      Thread.sleep(20);
    }
    return reply;
  }
}
