package dev.affinity.provider.bedrock;

import dev.affinity.model.Operation;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.ProviderKind;
import dev.affinity.provider.ProviderVerticle;
import dev.affinity.provider.UpstreamFailure;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import java.net.URI;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Calls Claude on AWS Bedrock (InvokeModel) for the deployments the router picks: the body its pair makes
 * ({@code AnthropicToBedrock}: InvokeModel's envelope, {@link BedrockRequest}) goes to the model's path, signed with
 * the deployment's AWS credentials ({@link DeploymentCredentials}, resolved off the event loop). Answers, the binary
 * event stream and errors are the pair's to read.
 */
public final class BedrockVerticle extends ProviderVerticle {

  private static final String EVENT_STREAM = "application/vnd.amazon.eventstream";

  private final AwsCredentialSource source;
  private final Clock clock;
  private final AtomicReference<DeploymentCredentials> nodeCredentials;
  private DeploymentCredentials credentials;
  private BedrockSigner signer;

  /** Credentials from the usual AWS files and environment. */
  public BedrockVerticle() {
    this(AwsCredentialSource.fromEnvironment(), Clock.systemUTC());
  }

  /** Credentials from {@code source}, signatures and refreshes on {@code clock}. */
  public BedrockVerticle(AwsCredentialSource source, Clock clock) {
    this(source, clock, new AtomicReference<>());
  }

  /**
   * A verticle that shares its credentials with the others given the same {@code nodeCredentials} (the node's Bedrock
   * verticles, one per event loop): the first to start makes them.
   */
  BedrockVerticle(AwsCredentialSource source, Clock clock, AtomicReference<DeploymentCredentials> nodeCredentials) {
    this.source = source;
    this.clock = clock;
    this.nodeCredentials = nodeCredentials;
  }

  @Override
  public Future<?> start() {
    credentials = nodeCredentials.updateAndGet(made -> made != null ? made
        : new DeploymentCredentials(vertx, source::provider, clock));
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
    byte[] body = body(call).getBytes();
    String modelId = deployment.upstreamModel(call.request().model());
    boolean countTokens = call.request().operation().countsTokens();
    boolean stream = call.request().stream() && !countTokens;
    URI uri = URI.create(deployment.apiBase()
        + (countTokens ? BedrockRequest.countTokensPath(modelId) : BedrockRequest.path(modelId, stream)));
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
    // the error type too: a Bedrock InvokeModel client reads its errors' kind there
    return header.equals("x-amzn-requestid") || header.equals("retry-after") || header.equals("x-amzn-errortype");
  }

  @Override
  protected boolean streamed(HttpClientResponse response) {
    String contentType = response.getHeader("content-type");
    return response.statusCode() == 200 && contentType != null && contentType.startsWith(EVENT_STREAM);
  }
}
