package dev.affinity.router.observe;

import dev.affinity.model.GatewayError;
import dev.affinity.model.config.Secret;
import dev.affinity.router.ingress.CallerKeys;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * {@code GET /metrics} on a port of its own ({@code --metrics-port}), for a Prometheus that should not reach the API
 * port. Bound to loopback unless told otherwise; on loopback it answers without a key, on any other address it asks
 * for the master key as {@code /metrics} on the API port does.
 */
public final class MetricsVerticle extends VerticleBase {

  /** The Prometheus text format Micrometer writes. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final GatewayMetrics metrics;
  private final String host;
  private final int port;
  private final CallerKeys keys;
  private HttpServer server;

  public MetricsVerticle(GatewayMetrics metrics, String host, int port, Secret masterKey) {
    this.metrics = metrics;
    this.host = host;
    this.port = port;
    this.keys = new CallerKeys(loopback(host) ? null : masterKey);
  }

  static boolean loopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException unknown) {
      return false;
    }
  }

  @Override
  public Future<?> start() {
    server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port));
    return server.requestHandler(this::handle).listen();
  }

  private void handle(HttpServerRequest request) {
    GatewayError refused = !"/metrics".equals(request.path())
        ? GatewayError.notFound(request.method() + " " + request.path() + " is not served on the metrics port")
        : !keys.admits(request.headers()) ? GatewayError.authentication("invalid x-api-key") : null;
    if (refused != null) {
      request.response().setStatusCode(refused.status()).putHeader("content-type", "application/json")
          .end(refused.toAnthropicJson().encode());
      return;
    }
    request.response().putHeader("content-type", CONTENT_TYPE).end(metrics.scrape());
  }

  /** The port it listens on (the one asked for, or the one chosen for port 0). */
  public int actualPort() {
    return server.actualPort();
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
