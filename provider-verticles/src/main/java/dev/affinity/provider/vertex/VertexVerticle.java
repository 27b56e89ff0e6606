package dev.affinity.provider.vertex;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.model.GatewayError;
import dev.affinity.model.Operation;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.TokenUsage;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.ProviderKind;
import dev.affinity.provider.vertex.VertexSettings;
import dev.affinity.provider.anthropic.AnthropicAnswer;
import dev.affinity.provider.ProviderVerticle;
import dev.affinity.provider.SseTap;
import dev.affinity.provider.UpstreamBody;
import dev.affinity.provider.UpstreamFailure;
import dev.affinity.provider.anthropic.SseUsageTap;
import dev.affinity.provider.gemini.GeminiEventStream;
import dev.affinity.provider.gemini.GeminiExchange;
import dev.affinity.provider.gemini.GeminiToAnthropic;
import dev.affinity.provider.translate.OpenAiStreamRewrite;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import java.io.IOException;
import java.time.Clock;

/**
 * Calls Claude and Gemini on Google Vertex AI for the deployments the router picks. The client speaks Anthropic's
 * Messages API and gets Anthropic's answers back. Claude ({@code rawPredict} / {@code streamRawPredict}) takes the
 * Messages body with the model in the path ({@link VertexRequest}) and answers in Anthropic's JSON and server-sent
 * events. Gemini ({@code generateContent} / {@code streamGenerateContent}, when the upstream model is a
 * {@link VertexSettings#servesGemini Gemini one}) is called as through the Gemini API ({@link GeminiExchange}): the
 * body translated, the answers translated back, the stream decoded by {@link GeminiEventStream}. Calls carry an OAuth
 * access token of the deployment's service account (or of the application default credentials), fetched off the
 * event loop and kept until it nears expiry ({@link VertexAccessTokens}). Google's own errors are mapped to
 * Anthropic's ({@link VertexError}). A client of the OpenAI API gets its answers, streams and errors translated back,
 * as from Anthropic.
 */
public final class VertexVerticle extends ProviderVerticle {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Where the request's token is kept for the answer: a refused token is forgotten so the next call gets another. */
  private static final String AUTHORIZATION = "authorization";
  private static final String BEARER = "Bearer ";

  private final VertexCredentialSource source;
  private final Clock clock;
  private VertexAccessTokens tokens;

  /** Credentials from each deployment's {@code vertex_credentials}, or Google's application default credentials. */
  public VertexVerticle() {
    this(VertexCredentialSource.standard(), Clock.systemUTC());
  }

  /** Credentials from {@code source}; token lifetimes are counted on {@code clock}. */
  public VertexVerticle(VertexCredentialSource source, Clock clock) {
    this.source = source;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    tokens = new VertexAccessTokens(vertx, source, clock);
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
    VertexRequest request;
    try {
      request = gemini ? VertexRequest.gemini(deployment, model, call)
          : VertexRequest.of(deployment, model, call.request().operation() == Operation.COUNT_TOKENS,
              JSON.readTree(call.body().getBytes()));
    } catch (UpstreamFailure.Refusal refused) {
      return Future.failedFuture(refused);
    } catch (IOException | IllegalArgumentException invalid) {
      return Future.failedFuture(new UpstreamFailure.Refusal(GatewayError.invalidRequest(
          invalid instanceof IOException ? "request body is not valid JSON" : invalid.getMessage())));
    }
    return tokens.token(deployment)
        .recover(failure -> Future.failedFuture(new UpstreamFailure.Refusal(GatewayError.upstreamUnreachable(
            "deployment " + deployment.id() + " (Vertex AI project " + deployment.settings(VertexSettings.class).project() + "): "
                + failure.getMessage()))))
        .map(token -> {
          RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
              .setAbsoluteURI(request.uri())
              .putHeader("content-type", "application/json")
              .putHeader(AUTHORIZATION, BEARER + token);
          String betas = call.request().headers().get("anthropic-beta");
          if (betas != null && !gemini) {
            options.putHeader("anthropic-beta", betas);
          }
          return new Outbound(options, Buffer.buffer(request.body()));
        });
  }

  /** Whether the call goes to a Gemini model, which speaks Gemini's API rather than Anthropic's. */
  private static boolean gemini(ProviderCall call) {
    return VertexSettings.servesGemini(call.deployment().upstreamModel(call.request().model()));
  }

  @Override
  protected boolean relayed(String header) {
    return header.equals("request-id") || header.equals("x-request-id") || header.equals("retry-after");
  }

  @Override
  protected SseTap streamTap(ProviderCall call) {
    return new SseUsageTap();
  }

  /** Gemini's stream is decoded into Anthropic's, so that the usage tap and the OpenAI rewrite see one. */
  @Override
  protected UpstreamBody.Rewrite streamDecoder(ProviderCall call) {
    return gemini(call) ? new GeminiEventStream(call.request().model(), call.deployment().id())
        : super.streamDecoder(call);
  }

  /** An OpenAI client gets OpenAI chunks: the Anthropic stream is translated as it goes, event by event. */
  @Override
  protected UpstreamBody.Rewrite streamRewrite(ProviderCall call) {
    return OpenAiStreamRewrite.of(call);
  }

  /** Errors are JSON whatever Google's front end said they were (an HTML page from a proxy included). */
  @Override
  protected String contentType(HttpClientResponse response, boolean streamed) {
    return streamed || response.statusCode() < 300 ? response.getHeader("content-type") : "application/json";
  }

  @Override
  protected Complete complete(ProviderCall call, HttpClientResponse response, Buffer body) {
    if (response.statusCode() == 401) {
      String authorization = response.request().headers().get(AUTHORIZATION);
      tokens.invalidate(call.deployment(), authorization == null ? null : authorization.substring(BEARER.length()));
    }
    return complete(call, response.statusCode(), body);
  }

  @Override
  protected Complete complete(ProviderCall call, int status, Buffer body) {
    Operation.ClientApi api = call.request().operation().api();
    Deployment deployment = call.deployment();
    if (gemini(call)) {
      // Google's front end (tokens, permissions, quotas) answers as for Claude; an error inside a 200 is Gemini's
      return GeminiExchange.complete(call, status, body, "Vertex AI", (code, json) -> code >= 300
          ? VertexError.of(code, body.getBytes(), deployment) : GeminiToAnthropic.error(code, json, deployment.id()));
    }
    if (status >= 300) {
      GatewayError error = VertexError.of(status, body.getBytes(), deployment);
      return new Complete(error.status(), error.toJson(api).toBuffer(), TokenUsage.NONE, error.type());
    }
    JsonNode json;
    try {
      json = JSON.readTree(body.getBytes());
    } catch (IOException notJson) {
      GatewayError error = GatewayError.upstreamUnreachable("deployment " + deployment.id()
          + ": Vertex AI answered with a body that is not JSON");
      return new Complete(error.status(), error.toJson(api).toBuffer(), TokenUsage.NONE, error.type());
    }
    return AnthropicAnswer.of(call, json, body);
  }
}
