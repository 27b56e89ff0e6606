package dev.affinity.provider.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.model.GatewayError;
import dev.affinity.model.Operation;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.TokenUsage;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.ProviderKind;
import dev.affinity.provider.anthropic.AnthropicAnswer;
import dev.affinity.provider.ProviderVerticle;
import dev.affinity.provider.SseTap;
import dev.affinity.provider.UpstreamBody;
import dev.affinity.provider.UpstreamFailure;
import dev.affinity.provider.translate.OpenAiStreamRewrite;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Calls Claude on AWS Bedrock (InvokeModel) for the deployments the router picks. The client speaks Anthropic's
 * Messages API and gets Anthropic's answers back: the body is reshaped for InvokeModel ({@link BedrockRequest}),
 * signed with the deployment's AWS credentials ({@link DeploymentCredentials}, resolved off the event loop), and the
 * answer comes back as Anthropic JSON, or as Anthropic server-sent events decoded from Bedrock's binary event stream
 * ({@link EventStreamToSse}). Bedrock's errors are mapped to Anthropic's ({@link BedrockError}).
 */
public final class BedrockVerticle extends ProviderVerticle {

  private static final Logger LOG = Logger.getLogger(BedrockVerticle.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String EVENT_STREAM = "application/vnd.amazon.eventstream";

  private final AwsCredentialSource source;
  private final Clock clock;
  private DeploymentCredentials credentials;
  private BedrockSigner signer;

  /** Credentials from the usual AWS files and environment. */
  public BedrockVerticle() {
    this(AwsCredentialSource.fromEnvironment(), Clock.systemUTC());
  }

  /** Credentials from {@code source}, signatures and refreshes on {@code clock}. */
  public BedrockVerticle(AwsCredentialSource source, Clock clock) {
    this.source = source;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    credentials = new DeploymentCredentials(vertx, source::provider, clock);
    signer = new BedrockSigner(clock);
    return super.start();
  }

  @Override
  protected ProviderKind kind() {
    return ProviderKind.BEDROCK;
  }

  @Override
  protected Future<Outbound> outbound(ProviderCall call) {
    Deployment deployment = call.deployment();
    BedrockRequest invoke;
    try {
      invoke = BedrockRequest.of(JSON.readTree(call.body().getBytes()), call.request().headers());
    } catch (IOException | IllegalArgumentException invalid) {
      return Future.failedFuture(new UpstreamFailure.Refusal(GatewayError.invalidRequest(
          invalid instanceof IOException ? "request body is not valid JSON" : invalid.getMessage())));
    }
    if (!invoke.droppedBetas().isEmpty()) {
      LOG.fine(() -> "deployment " + deployment.id() + ": anthropic-beta values Bedrock does not accept, left out: "
          + invoke.droppedBetas());
    }
    boolean countTokens = call.request().operation() == Operation.COUNT_TOKENS;
    boolean stream = invoke.stream() && !countTokens;
    URI uri = URI.create(deployment.apiBase() + (countTokens ? invoke.countTokensPath() : invoke.path()));
    byte[] body = countTokens ? invoke.countTokensBytes() : invoke.bytes();
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("content-type", "application/json");
    headers.put("accept", stream ? EVENT_STREAM : "application/json");
    if (stream) {
      headers.put("x-amzn-bedrock-accept", "application/json");
    }
    return credentials.credentials(deployment)
        .recover(failure -> Future.failedFuture(
            new UpstreamFailure.Refusal(CredentialsFailure.error(deployment, failure))))
        .map(identity -> {
          RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(uri.toString());
          headers.forEach(options::putHeader);
          signer.sign(uri, headers, body, identity, deployment.settings(AwsSettings.class).region()).forEach(options::putHeader);
          return new Outbound(options, Buffer.buffer(body));
        });
  }

  @Override
  protected boolean relayed(String header) {
    return header.equals("x-amzn-requestid") || header.equals("retry-after");
  }

  @Override
  protected boolean streamed(HttpClientResponse response) {
    String contentType = response.getHeader("content-type");
    return response.statusCode() == 200 && contentType != null && contentType.startsWith(EVENT_STREAM);
  }

  /** The client sees what Anthropic would send: an event stream, or JSON (errors included, once mapped). */
  @Override
  protected String contentType(HttpClientResponse response, boolean streamed) {
    return streamed ? "text/event-stream; charset=utf-8" : "application/json";
  }

  @Override
  protected UpstreamBody.Rewrite streamDecoder(ProviderCall call) {
    return new EventStreamToSse(call.deployment());
  }

  @Override
  protected SseTap streamTap(ProviderCall call) {
    return new BedrockUsageTap();
  }

  /** An OpenAI client gets OpenAI chunks, translated from the decoded Anthropic events as they go. */
  @Override
  protected UpstreamBody.Rewrite streamRewrite(ProviderCall call) {
    return OpenAiStreamRewrite.of(call);
  }

  @Override
  protected Complete complete(ProviderCall call, HttpClientResponse response, Buffer body) {
    return complete(call, response.statusCode(), response.getHeader("x-amzn-errortype"), body);
  }

  /** Without headers, an error's type comes from its body ({@code __type}) or its status. */
  @Override
  protected Complete complete(ProviderCall call, int status, Buffer body) {
    return complete(call, status, null, body);
  }

  private Complete complete(ProviderCall call, int status, String errorType, Buffer body) {
    Operation.ClientApi api = call.request().operation().api();
    if (status >= 300) {
      GatewayError error = BedrockError.of(status, errorType, body.getBytes(), call.deployment());
      return new Complete(error.status(), error.toJson(api).toBuffer(), TokenUsage.NONE, error.type());
    }
    JsonNode json;
    try {
      json = JSON.readTree(body.getBytes());
    } catch (IOException notJson) {
      GatewayError error = GatewayError.upstreamUnreachable("deployment " + call.deployment().id()
          + ": Bedrock answered with a body that is not JSON");
      return new Complete(error.status(), error.toJson(api).toBuffer(), TokenUsage.NONE, error.type());
    }
    if (call.request().operation() == Operation.COUNT_TOKENS) {
      // CountTokens says {"inputTokens": n}; Anthropic's count_tokens says {"input_tokens": n}
      return new Complete(Buffer.buffer(JSON.createObjectNode()
          .put("input_tokens", json.path("inputTokens").asLong()).toString()), TokenUsage.NONE, null);
    }
    return AnthropicAnswer.of(call, json, body);
  }
}
