package dev.affinity.router.routing;

import dev.affinity.model.EventBusAddress;
import dev.affinity.model.GatewayError;
import dev.affinity.model.GatewayReply;
import dev.affinity.model.GatewayRequest;
import dev.affinity.model.LocalCodec;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.TokenUsage;
import dev.affinity.model.UsageReport;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.GatewayConfig;
import dev.affinity.router.routing.strategy.InFlight;
import dev.affinity.router.routing.strategy.UnpinnedStrategy;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;

import java.util.List;
import java.util.TreeSet;
import java.util.logging.Logger;

/**
 * Picks a deployment for each request and hands the call to the provider verticle of its kind, on this node.
 * Listens on {@link EventBusAddress#ROUTER}; logs one line per finished upstream call.
 */
public final class RoutingVerticle extends VerticleBase {

  private static final Logger REQUESTS = Logger.getLogger("affinity.requests");
  /** Margin so the upstream's own timeout (a clean 504) fires before the event bus gives up on the reply. */
  private static final long REPLY_MARGIN_MILLIS = 5_000;

  private final GatewayConfig config;
  private final InFlight inFlight = new InFlight();
  private RoutingPolicy policy;

  public RoutingVerticle(GatewayConfig config) {
    this.config = config;
  }

  @Override
  public Future<?> start() {
    LocalCodec.registerAll(vertx.eventBus());
    policy = new UnpinnedPolicy(UnpinnedStrategy.named(config.router().routingStrategy(), inFlight));
    return Future.all(
        vertx.eventBus().<GatewayRequest>localConsumer(EventBusAddress.ROUTER, this::route).completion(),
        vertx.eventBus().<UsageReport>localConsumer(EventBusAddress.USAGE, message -> finished(message.body()))
            .completion());
  }

  private void route(Message<GatewayRequest> message) {
    GatewayRequest request = message.body();
    long receivedAt = System.nanoTime();
    List<Deployment> candidates = config.deploymentsFor(request.model());
    if (candidates.isEmpty()) {
      fail(message, GatewayError.notFound("model '" + request.model() + "' is not served here; available models: "
          + String.join(", ", new TreeSet<>(config.aliases()))));
      return;
    }
    policy.route(request, candidates)
        .compose(route -> call(request, route, receivedAt))
        .onSuccess(reply -> message.reply(reply, new DeliveryOptions().setLocalOnly(true)))
        .onFailure(failure -> {
          if (failure instanceof ReplyException reply && reply.failureCode() >= 400) {
            message.fail(reply.failureCode(), reply.getMessage());
          } else {
            fail(message, GatewayError.from(failure));
          }
        });
  }

  private Future<GatewayReply> call(GatewayRequest request, Route route, long receivedAt) {
    Deployment deployment = route.deployment();
    String upstreamModel = deployment.upstreamModel(request.model());
    Buffer body = upstreamModel.equals(request.model()) ? request.body()
        : ModelField.replace(request.body(), upstreamModel);
    long timeout = deployment.timeout() != null ? deployment.timeout().toMillis()
        : config.router().timeout().toMillis();
    inFlight.started(deployment.id());
    return vertx.eventBus()
        .<GatewayReply>request(EventBusAddress.provider(deployment.provider()),
            new ProviderCall(request, deployment, body, route.kind(), timeout, receivedAt),
            new DeliveryOptions().setLocalOnly(true).setSendTimeout(timeout + REPLY_MARGIN_MILLIS))
        .map(reply -> reply.body().withRoute(route.kind()));
  }

  private void finished(UsageReport report) {
    inFlight.finished(report.deploymentId());
    TokenUsage usage = report.usage();
    REQUESTS.info(() -> String.format(
        "request=%s model=%s deployment=%s route=%s status=%d stream=%s latency_ms=%d input=%d cache_write=%d"
            + " cache_read=%d output=%d%s",
        report.requestId(), report.alias(), report.deploymentId(), report.route(), report.status(), report.stream(),
        report.latencyMillis(), usage.inputTokens(), usage.cacheCreationInputTokens(), usage.cacheReadInputTokens(),
        usage.outputTokens(), report.errorType() == null ? "" : " error=" + report.errorType()));
  }

  private static void fail(Message<?> message, GatewayError error) {
    message.fail(error.status(), error.toReplyException().getMessage());
  }
}
