package dev.affinity.provider.vertex;

import dev.affinity.model.GatewayError;
import dev.affinity.model.Operation;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.ProviderKind;
import dev.affinity.provider.ProviderVerticle;
import dev.affinity.provider.UpstreamFailure;
import dev.affinity.provider.gemini.GeminiExchange;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Calls Claude and Gemini on Google Vertex AI for the deployments the router picks. Claude
 * ({@code rawPredict} / {@code streamRawPredict}) is called with the model in the path ({@link VertexRequest});
 * Gemini ({@code generateContent} / {@code streamGenerateContent}, when the upstream model is a
 * {@link VertexSettings#servesGemini Gemini one}) as through the Gemini API ({@link GeminiExchange}). The bodies,
 * answers, streams and errors are the call's pair's ({@code AnthropicToVertex}, {@code OpenAiToVertex}). Calls carry an OAuth
 * access token of the deployment's service account (or of the application default credentials), fetched off the
 * event loop and kept until it nears expiry ({@link VertexAccessTokens}).
 */
public final class VertexVerticle extends ProviderVerticle {

  /** Where the request's token is kept for the answer: a refused token is forgotten so the next call gets another. */
  private static final String AUTHORIZATION = "authorization";
  private static final String BEARER = "Bearer ";

  private final VertexCredentialSource source;
  private final Clock clock;
  private final AtomicReference<VertexAccessTokens> nodeTokens;
  private VertexAccessTokens tokens;

  /** Credentials from each deployment's {@code vertex_credentials}, or Google's application default credentials. */
  public VertexVerticle() {
    this(VertexCredentialSource.standard(), Clock.systemUTC());
  }

  /** Credentials from {@code source}; token lifetimes are counted on {@code clock}. */
  public VertexVerticle(VertexCredentialSource source, Clock clock) {
    this(source, clock, new AtomicReference<>());
  }

  /**
   * A verticle that shares its tokens with the others given the same {@code nodeTokens} (the node's Vertex verticles,
   * one per event loop): the first to start makes them.
   */
  VertexVerticle(VertexCredentialSource source, Clock clock, AtomicReference<VertexAccessTokens> nodeTokens) {
    this.source = source;
    this.clock = clock;
    this.nodeTokens = nodeTokens;
  }

  @Override
  public Future<?> start() {
    tokens = nodeTokens.updateAndGet(made -> made != null ? made : new VertexAccessTokens(vertx, source, clock));
    return super.start();
  }

  @Override
  protected ProviderKind kind() {
    return ProviderKind.VERTEX;
  }

  @Override
  protected Future<Outbound> outbound(ProviderCall call) {
    Deployment deployment = call.deployment();
    String model = deployment.upstreamModel(call.request().model());
    boolean gemini = VertexSettings.servesGemini(model);
    Buffer body = body(call);
    String uri = gemini ? VertexRequest.geminiUri(deployment, model, call)
        : VertexRequest.claudeUri(deployment, model, call.request().operation().countsTokens(),
            call.request().stream());
    return tokens.token(deployment)
        .recover(failure -> Future.failedFuture(new UpstreamFailure.Refusal(GatewayError.upstreamUnreachable(
            "deployment " + deployment.id() + " (Vertex AI project " + deployment.settings(VertexSettings.class).project() + "): "
                + failure.getMessage()))))
        .map(token -> {
          RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
              .setAbsoluteURI(uri)
              .putHeader("content-type", "application/json")
              .putHeader(AUTHORIZATION, BEARER + token);
          String betas = call.request().headers().get("anthropic-beta");
          if (betas != null && !gemini) {
            options.putHeader("anthropic-beta", betas);
          }
          return new Outbound(options, body);
        });
  }

  @Override
  protected boolean relayed(String header) {
    return header.equals("request-id") || header.equals("x-request-id") || header.equals("retry-after");
  }

  /** A refused token is forgotten, so that the next call fetches another. */
  @Override
  protected void answered(ProviderCall call, HttpClientResponse response) {
    if (response.statusCode() == 401) {
      String authorization = response.request().headers().get(AUTHORIZATION);
      tokens.invalidate(call.deployment(), authorization == null ? null : authorization.substring(BEARER.length()));
    }
  }
}
