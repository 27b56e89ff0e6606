package dev.affinity.router.ingress;

import dev.affinity.model.Caller;
import dev.affinity.model.GatewayError;
import dev.affinity.model.RouteKind;
import dev.affinity.router.node.LogLine;
import dev.affinity.router.observe.GatewayMetrics;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One line on {@code affinity.access} for every client request, when its answer ends (a stream at its last byte) or
 * its connection closes first: those the gateway refuses itself included, with the reason. What a client sent (path,
 * model) is escaped and cut short; keys never appear. What is polled (health, metrics, the console's reads) is logged
 * at debug level when answered.
 */
final class AccessLog {

  static final String REQUEST_ID = "affinity.request_id";
  static final String MODEL = "affinity.model";
  /** Where the answer came from, kept here too: a tenant's answer does not carry the routing headers. */
  static final String DEPLOYMENT = "affinity.deployment";
  static final String ROUTE = "affinity.route";
  private static final String CALLER = "affinity.caller";
  private static final String ERROR = "affinity.error";
  private static final Logger ACCESS = Logger.getLogger("affinity.access");
  private static final int MAX_PATH = 200;
  private static final int MAX_MODEL = 100;
  private static final int MAX_REASON = 300;

  private final GatewayMetrics metrics;

  AccessLog(GatewayMetrics metrics) {
    this.metrics = metrics;
  }

  /** Names the request and arranges for its line; the first handler of every route. */
  void begin(RoutingContext ctx) {
    long startedAt = System.nanoTime();
    String requestId = requestId();
    ctx.put(REQUEST_ID, requestId);
    ctx.response().putHeader("x-affinity-request-id", requestId);
    ctx.addEndHandler(done -> finished(ctx, startedAt, done.succeeded()));
    ctx.next();
  }

  /**
   * A new request id: {@code req_} and 128 random bits in hex. An id names a request in logs and headers and guards
   * nothing, so it needs no secure random: {@code UUID.randomUUID} read the system's generator under a lock on every
   * request.
   */
  static String requestId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return "req_" + hex(random.nextLong()) + hex(random.nextLong());
  }

  private static String hex(long bits) {
    String digits = Long.toHexString(bits);
    return digits.length() == 16 ? digits : "0".repeat(16 - digits.length()) + digits;
  }

  /** Remembers who the caller is, for the audit: a virtual key's hash prefix and team, never the key. */
  static void caller(RoutingContext ctx, Caller caller) {
    ctx.put(CALLER, caller);
  }

  /** Remembers why the gateway answered with an error of its own, for the line. */
  static void refusedWith(RoutingContext ctx, GatewayError error) {
    ctx.put(ERROR, error);
  }

  private void finished(RoutingContext ctx, long startedAt, boolean answered) {
    int status = ctx.response().getStatusCode();
    GatewayError error = ctx.get(ERROR);
    String deployment = ctx.get(DEPLOYMENT);
    String path = ctx.request().path();
    SocketAddress client = ctx.request().remoteAddress();
    LogLine line = line(metrics, ctx.get(REQUEST_ID), client == null ? null : client.hostAddress(),
        ctx.request().method().name(), LogLine.clip(path, MAX_PATH), status, ctx.get(MODEL), deployment,
        ctx.get(ROUTE), startedAt, error, ctx.get(CALLER));
    if (!answered) {
      line.with("outcome", "client_closed");
    }
    line.log(ACCESS, polled(ctx, path, status) ? Level.FINE : Level.INFO);
  }

  /**
   * The {@code affinity.access} line of one request, whatever carried it (the event-bus front end writes its calls'
   * with it too), and the refusal counted when the gateway answered with an error of its own.
   *
   * @param deployment the deployment that answered, or null when none did
   * @param route      how it was chosen, or null
   * @param error      the gateway's own error, or null
   * @param caller     who sent it, or null when the key was not checked
   */
  static LogLine line(GatewayMetrics metrics, String requestId, String client, String method, String path, int status,
                      String model, String deployment, RouteKind route, long startedAtNanos, GatewayError error,
                      Caller caller) {
    if (error != null && deployment == null && (status >= 400 && status < 500 || status == 529 || status == 503)) {
      metrics.refused(error.status(), error.type());
    }
    LogLine line = new LogLine()
        .with("request", requestId)
        .with("client", client)
        .with("method", method)
        .with("path", path)
        .with("status", status)
        .with("model", LogLine.clip(model, MAX_MODEL))
        .with("deployment", deployment)
        .with("route", RouteKind.labelOf(route))
        .with("duration_ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAtNanos));
    if (error != null) {
      line.with("error", error.type()).with("reason", LogLine.clip(error.message(), MAX_REASON));
    }
    // the audit: whose request it was (a virtual key's hash prefix and team), never the key
    return line.with("key", caller == null ? null : caller.virtualKey() ? caller.keyHashPrefix() : "master")
        .with("team", caller == null ? null : caller.teamId());
  }

  /**
   * What machines and the console read every few seconds (health probes, scrapes, the console's polling), answered:
   * at debug level, so that the log is about requests. Refused ones are logged as any other.
   */
  private static boolean polled(RoutingContext ctx, String path, int status) {
    return path != null && status < 400 && ctx.request().method() == HttpMethod.GET
        && (path.startsWith("/health/") || path.equals("/metrics") || path.startsWith("/affinity/")
        || path.equals("/ui") || path.startsWith("/ui/"));
  }
}
