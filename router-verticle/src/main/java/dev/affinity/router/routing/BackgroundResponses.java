package dev.affinity.router.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.model.GatewayReply;
import dev.affinity.model.GatewayRequest;
import dev.affinity.model.Operation;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.RouteKind;
import dev.affinity.model.TokenUsage;
import dev.affinity.model.UsageReport;
import dev.affinity.model.config.Deployment;
import dev.affinity.provider.translate.ResponseIds;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * One router's background responses (OpenAI's background mode), from the call's {@code queued} answer to its booking:
 * the call is kept in {@link OwedUsage} and booked once, when the response is first read back finished, by a client
 * (retrieved with its usage, or cancelled) or by this node itself when no client has after a while.
 */
final class BackgroundResponses {

  private static final Logger LOG = Logger.getLogger(BackgroundResponses.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> RUNNING = Set.of("queued", "in_progress");
  private static final Set<String> OVER = Set.of("completed", "incomplete", "failed", "cancelled");
  private final OwedUsage owed;
  private final Context context;
  private final long firstCheckMillis;
  private final Function<String, Optional<Deployment>> deployments;
  private final BiFunction<Deployment, ProviderCall, Future<GatewayReply>> read;
  private final Consumer<UsageReport> settled;
  private final BackgroundChecks checks;

  /**
   * @param context     the router's event loop
   * @param firstCheck  how long after the call this node reads the response back itself when no client has; zero
   *                    never ({@code router_settings.background_usage_check})
   * @param deployments the configured deployment of an id
   * @param read        makes an upstream call to a deployment (the router's, with its timeout)
   * @param settled     books a call's report once its usage is known
   * @param checks      the node's bound on the responses its routers read back at once
   */
  BackgroundResponses(OwedUsage owed, Context context, Duration firstCheck,
                      Function<String, Optional<Deployment>> deployments,
                      BiFunction<Deployment, ProviderCall, Future<GatewayReply>> read, Consumer<UsageReport> settled,
                      BackgroundChecks checks) {
    this.checks = checks;
    this.owed = owed;
    this.context = context;
    this.firstCheckMillis = firstCheck.toMillis();
    this.deployments = deployments;
    this.read = read;
    this.settled = settled;
  }

  /** Whether {@code request} asks for a background response. */
  static boolean inBackground(GatewayRequest request) {
    return request.operation() == Operation.RESPONSES && request.json() != null
        && request.json().path("background").asBoolean(false);
  }

  /**
   * The id of the response a background call's answer says is still running ({@code queued}, {@code in_progress}):
   * its usage is to come. Null for any other answer, which is booked as it is.
   */
  static String runningResponseId(GatewayReply reply) {
    if (reply.status() != 200 || reply.body() == null) {
      return null;
    }
    JsonNode response = parsed(reply);
    String id = response.path("id").asText("");
    return RUNNING.contains(response.path("status").asText("")) && ResponseIds.origin(id).isPresent() ? id : null;
  }

  /**
   * Keeps {@code call} until the response {@code responseId} is read back finished, and reads it back if no client
   * does.
   */
  void owe(String responseId, BackgroundCall call) {
    owed.owe(responseId, call);
    Optional<Deployment> deployment = deployments.apply(call.pending().deploymentId());
    if (firstCheckMillis <= 0 || deployment.isEmpty()) {
      return;
    }
    if (!checks.take()) {
      if (checks.firstToFindItFull()) {
        LOG.warning("request=" + call.pending().requestId() + " " + checks.max() + " background responses wait for"
            + " this node to read them back: the newest are booked only when a client reads them back finished");
      }
      return;
    }
    checkBack(responseId, deployment.get(), call, firstCheckMillis, OwedUsage.KEPT.toMillis());
  }

  /**
   * Books the call that made a stored response an operation read back finished (retrieved with its usage, or
   * cancelled), if it was a background call not booked yet, anywhere in the cluster. Off the answer's way: the
   * client does not wait for it.
   */
  Handler<AsyncResult<GatewayReply>> settling(GatewayRequest request) {
    return result -> {
      if (result.failed() || result.result().status() != 200) {
        return;
      }
      if (result.result().stream() != null) {
        // a resumed stream: its last event carries the usage, read at its end
        result.result().stream().outcome().onSuccess(ended -> context.runOnContext(v -> settled(request,
            ended.usage())));
        return;
      }
      if (result.result().outcome() != null) {
        settled(request, result.result().outcome().usage());
      }
    };
  }

  /** Settles a background call if {@code request} read its response back finished, with {@code usage}. */
  private void settled(GatewayRequest request, TokenUsage usage) {
    if (request.operation() == Operation.RESPONSE_CANCEL
        || request.operation() == Operation.RESPONSE_RETRIEVE && usage.promptTokens() + usage.outputTokens() > 0) {
      settle(request.storedId(), usage, request.requestId());
    }
  }

  /**
   * Reads a background response back for its usage when no client has in {@code delayMillis} (a client that never
   * does would otherwise spend uncounted), then twice as late each time, until it is over and booked, a read has
   * booked it, or {@code leftMillis} (what remains of {@link OwedUsage#KEPT}) would pass. As the key that made it.
   */
  private void checkBack(String responseId, Deployment deployment, BackgroundCall call, long delayMillis,
                         long leftMillis) {
    if (delayMillis > leftMillis) {
      checkDone();
      return;
    }
    UsageReport.Pending made = call.pending();
    context.owner().setTimer(delayMillis, timer -> Future.fromCompletionStage(owed.owes(responseId), context)
        .compose(owes -> !owes ? Future.succeededFuture((GatewayReply) null) : read.apply(deployment,
            new ProviderCall(GatewayRequest.onStored(made.requestId(), Operation.RESPONSE_RETRIEVE, responseId,
                made.caller().tenant(), null, made.caller()), deployment, Buffer.buffer(), RouteKind.STORED,
                deployment.timeout(false).toMillis(), System.nanoTime(), false)))
        .onComplete(answer -> {
          if (answer.succeeded() && answer.result() == null) {
            checkDone(); // a client's read booked it
          } else if (answer.succeeded() && over(answer.result())) {
            checkDone();
            settle(responseId, answer.result().outcome().usage(), made.requestId());
          } else {
            checkBack(responseId, deployment, call, delayMillis * 2, leftMillis - delayMillis);
          }
        }));
  }

  /** One response less to read back. */
  private void checkDone() {
    checks.release();
  }

  /**
   * Whether a background response read back is over ({@link #OVER}), or gone (404: deleted, or past its retention),
   * so that its usage can no longer change.
   */
  private static boolean over(GatewayReply answer) {
    if (answer.status() == 404) {
      return true;
    }
    return answer.status() == 200 && answer.body() != null && answer.outcome() != null
        && OVER.contains(parsed(answer).path("status").asText(""));
  }

  /** Books the call that made {@code responseId} with {@code usage}, if no read has yet, anywhere in the cluster. */
  private void settle(String responseId, TokenUsage usage, String requestId) {
    Future.fromCompletionStage(owed.settle(responseId), context)
        .onSuccess(call -> call.ifPresent(made -> settled.accept(made.settledWith(usage))))
        .onFailure(failure -> LOG.warning("request=" + requestId + " could not settle a background response's"
            + " usage: " + failure.getMessage()));
  }

  private static JsonNode parsed(GatewayReply reply) {
    try {
      return JSON.readTree(reply.body().getBytes());
    } catch (IOException notJson) {
      return JSON.missingNode();
    }
  }
}
