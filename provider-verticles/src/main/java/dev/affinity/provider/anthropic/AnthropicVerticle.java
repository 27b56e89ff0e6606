package dev.affinity.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.model.EventBusAddress;
import dev.affinity.model.GatewayError;
import dev.affinity.model.GatewayReply;
import dev.affinity.model.LocalCodec;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.TokenUsage;
import dev.affinity.model.UsageReport;
import dev.affinity.model.config.ProviderKind;
import dev.affinity.provider.UpstreamFailure;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

import java.io.IOException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Calls Anthropic's Messages API (or anything that speaks it, such as the upstream emulator) for the deployments
 * the router picks, and relays the answer: complete bodies as a buffer, streams as a {@link UpstreamBody}.
 */
public final class AnthropicVerticle extends VerticleBase {

  static final String DEFAULT_VERSION = "2023-06-01";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long CONNECT_TIMEOUT_MILLIS = 10_000;

  private HttpClient client;

  @Override
  public Future<?> start() {
    LocalCodec.registerAll(vertx.eventBus());
    client = vertx.createHttpClient(
        new HttpClientOptions()
            .setKeepAlive(true)
            .setDecompressionSupported(true)
            .setForceSni(true)
            .setConnectTimeout((int) CONNECT_TIMEOUT_MILLIS),
        new PoolOptions().setHttp1MaxSize(256));
    return vertx.eventBus()
        .<ProviderCall>localConsumer(EventBusAddress.provider(ProviderKind.ANTHROPIC), this::call)
        .completion();
  }

  private void call(Message<ProviderCall> message) {
    ProviderCall call = message.body();
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setAbsoluteURI(call.deployment().apiBase() + call.request().operation().anthropicPath()
            + (call.request().query() == null ? "" : "?" + call.request().query()))
        .setIdleTimeout(call.timeoutMillis())
        .setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
    call.request().headers().forEach(options::putHeader);
    if (!call.request().headers().containsKey("anthropic-version")) {
      options.putHeader("anthropic-version", DEFAULT_VERSION);
    }
    options.putHeader("content-type", "application/json");
    options.putHeader("x-api-key", call.deployment().apiKey().value());

    client.request(options)
        .compose(request -> request.send(call.body()))
        .onSuccess(response -> relay(message, call, response))
        .onFailure(failure -> {
          GatewayError error = UpstreamFailure.classify(failure, call.deployment().id(), call.timeoutMillis());
          report(call, error.status(), TokenUsage.NONE, error.type());
          message.fail(error.status(), error.toReplyException().getMessage());
        });
  }

  private void relay(Message<ProviderCall> message, ProviderCall call, HttpClientResponse response) {
    Map<String, String> headers = relayedHeaders(response);
    boolean eventStream = response.getHeader("content-type") != null
        && response.getHeader("content-type").startsWith("text/event-stream");
    if (eventStream) {
      SseUsageTap tap = new SseUsageTap();
      UpstreamBody body = new UpstreamBody(response, context, tap, failure -> report(call, response.statusCode(),
          tap.usage(), failure == null ? tap.errorType() : errorTypeOf(failure)));
      message.reply(new GatewayReply(response.statusCode(), headers, null, body, call.deployment().id(), null),
          new DeliveryOptions().setLocalOnly(true));
      return;
    }
    response.body()
        .onSuccess(buffer -> {
          TokenUsage usage = TokenUsage.NONE;
          String errorType = null;
          try {
            JsonNode json = JSON.readTree(buffer.getBytes());
            usage = AnthropicUsage.merge(usage, json.path("usage"));
            if (response.statusCode() >= 400) {
              errorType = json.path("error").path("type").asText("api_error");
            }
          } catch (IOException notJson) {
            errorType = response.statusCode() >= 400 ? "api_error" : null;
          }
          report(call, response.statusCode(), usage, errorType);
          message.reply(new GatewayReply(response.statusCode(), headers, buffer, null, call.deployment().id(), null),
              new DeliveryOptions().setLocalOnly(true));
        })
        .onFailure(failure -> {
          GatewayError error = UpstreamFailure.classify(failure, call.deployment().id(), call.timeoutMillis());
          report(call, error.status(), TokenUsage.NONE, error.type());
          message.fail(error.status(), error.toReplyException().getMessage());
        });
  }

  private static String errorTypeOf(Throwable failure) {
    return failure instanceof UpstreamBody.ClientGoneException ? "client_disconnected" : "stream_interrupted";
  }

  /** The upstream headers a client may rely on; hop-by-hop and encoding headers are the gateway's own business. */
  static Map<String, String> relayedHeaders(HttpClientResponse response) {
    Map<String, String> relayed = new HashMap<>();
    response.headers().forEach((name, value) -> {
      String lower = name.toLowerCase(Locale.ROOT);
      if (lower.equals("content-type") || lower.equals("request-id") || lower.equals("x-request-id")
          || lower.equals("retry-after") || lower.equals("x-should-retry") || lower.startsWith("anthropic-")) {
        relayed.merge(lower, value, (first, second) -> first + ", " + second);
      }
    });
    return relayed;
  }

  private void report(ProviderCall call, int status, TokenUsage usage, String errorType) {
    long latency = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - call.receivedAtNanos());
    vertx.eventBus().publish(EventBusAddress.USAGE,
        new UsageReport(call.request().requestId(), call.request().model(), call.deployment().id(), call.route(),
            status, call.request().stream(), latency, usage, errorType),
        new DeliveryOptions().setLocalOnly(true));
  }

  @Override
  public Future<?> stop() {
    return client.close();
  }
}
