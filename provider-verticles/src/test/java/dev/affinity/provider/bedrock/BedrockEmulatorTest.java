package dev.affinity.provider.bedrock;

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
import dev.affinity.provider.ProviderVerticle;
import dev.affinity.provider.Replies;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static dev.affinity.provider.Replies.await;
import static dev.affinity.provider.Replies.readAll;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The verticle against the upstream emulator's Bedrock account: the emulator checks signatures and the InvokeModel
 * body schema as Bedrock does, and keeps a prompt cache, so a prefix written by one call is read by the next.
 */
class BedrockEmulatorTest {

  private static final String MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";

  @TempDir
  Path aws;

  private final BlockingQueue<CallOutcome> usage = new LinkedBlockingQueue<>();
  private Vertx vertx;
  private ProviderVerticle provider;
  private UpstreamEmulator emulator;
  private Deployment deployment;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions().setPort(0)
        .addAwsAccount("acct-1", "AKIDEMU1", "emu-secret-1")));
    Files.writeString(aws.resolve("credentials"), """
        [account-1]
        aws_access_key_id = AKIDEMU1
        aws_secret_access_key = emu-secret-1
        """);
    deployment = ConfigLoader.parse("""
        model_list:
        - model_name: %s
          litellm_params:
            model: %s
            aws_profile_name: account-1
            aws_region_name: us-west-2
            aws_bedrock_runtime_endpoint: %s
          model_info:
            litellm_provider: bedrock
        """.formatted(MODEL, MODEL, emulator.baseUrl()), Map.of()).deployments().get(0);
    provider = new BedrockVerticle(
        AwsCredentialSource.of(aws.resolve("credentials"), aws.resolve("config")), Clock.systemUTC());
    await(vertx.deployVerticle(provider));  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  /** An agent-style turn: a long system prompt with a marker, a request-level marker, a beta Bedrock lacks. */
  private Future<GatewayReply> call(String question, boolean stream) {
    JsonObject body = new JsonObject().put("model", MODEL).put("max_tokens", 32).put("stream", stream)
        .put("cache_control", new JsonObject().put("type", "ephemeral"))
        .put("system", new JsonArray().add(new JsonObject().put("type", "text")
            .put("text", "You are a careful assistant. ".repeat(400))
            .put("cache_control", new JsonObject().put("type", "ephemeral"))))
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", question)));
    GatewayRequest request = new GatewayRequest("req-" + question.hashCode(), Operation.MESSAGES, MODEL, stream,
        "default", Map.of("anthropic-beta", "claude-code-20250219,interleaved-thinking-2025-05-14"), null,
        body.toBuffer(), null);
    ProviderCall call = new ProviderCall(request, deployment, body.toBuffer(), RouteKind.UNPINNED, 10_000, System.nanoTime(),
        false);
    return Replies.outcomeInto(provider.call(call), usage);
  }

  @Test
  void aPrefixWrittenByOneCallIsReadByTheNextStreamedOne() throws Exception {
    GatewayReply first = await(call("What is 2 + 2?", false));
    assertThat(first.status()).as(first.body() == null ? "" : first.body().toString()).isEqualTo(200);
    assertThat(new JsonObject(first.body()).getString("type")).isEqualTo("message");
    CallOutcome written = usage.poll(10, TimeUnit.SECONDS);
    assertThat(written.usage().cacheCreationInputTokens()).isGreaterThan(1024);
    assertThat(written.usage().cacheReadInputTokens()).isZero();

    GatewayReply second = await(call("And 3 + 3?", true));
    assertThat(second.headers()).containsEntry("content-type", "text/event-stream; charset=utf-8");
    String sse = readAll(second);
    assertThat(sse).startsWith("event: message_start\ndata: {").contains("event: content_block_delta\n");
    assertThat(sse.substring(sse.lastIndexOf("event: "))).startsWith("event: message_stop\ndata: {")
        .endsWith("}\n\n");
    CallOutcome read = usage.poll(10, TimeUnit.SECONDS);
    assertThat(read.errorType()).isNull();
    assertThat(read.usage().cacheReadInputTokens()).isEqualTo(written.usage().cacheCreationInputTokens());
    assertThat(read.usage().outputTokens()).isPositive();
  }

  @Test
  void aProfileWithAnotherAccountsKeysIsRefusedWithItsNameOnly() throws Exception {
    Files.writeString(aws.resolve("credentials"), """
        [account-1]
        aws_access_key_id = AKIDEMU1
        aws_secret_access_key = not-the-emulators-secret
        """);
    GatewayReply reply = await(call("What is 2 + 2?", false));

    assertThat(reply.status()).isEqualTo(403);
    JsonObject error = new JsonObject(reply.body()).getJsonObject("error");
    assertThat(error.getString("type")).isEqualTo("permission_error");
    assertThat(error.getString("message")).isEqualTo("deployment " + deployment.id() + ": AWS did not accept the"
        + " credentials of profile 'account-1' (InvalidSignatureException)");
  }
}
