package dev.affinity.router.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.model.CallOutcome;
import dev.affinity.model.Caller;
import dev.affinity.model.FailedCall;
import dev.affinity.model.GatewayError;
import dev.affinity.model.GatewayErrorException;
import dev.affinity.model.GatewayReply;
import dev.affinity.model.GatewayRequest;
import dev.affinity.model.JsonBody;
import dev.affinity.model.Operation;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.RouteKind;
import dev.affinity.model.TokenUsage;
import dev.affinity.model.UsageReport;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.GatewayConfig;
import dev.affinity.model.config.ProviderKind;
import dev.affinity.model.provider.UpstreamCalls;
import dev.affinity.provider.translate.ResponseIds;
import dev.affinity.provider.translate.TranslationException;
import dev.affinity.provider.translate.Translator;
import dev.affinity.provider.translate.Translators;
import dev.affinity.router.cache.CostModel;
import dev.affinity.router.node.LogLine;
import dev.affinity.router.cache.Balance;
import dev.affinity.router.cache.PinQuota;
import dev.affinity.router.cache.PrefixChain;
import dev.affinity.router.routing.strategy.UnpinnedStrategy;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Picks a deployment for each request and hands the call to the provider verticle of its kind. There is one on each
 * of the node's event loops, beside that loop's front ends and provider verticles ({@code RoutingLoop}): a request
 * read on a loop is routed, sent upstream and answered on that loop's thread. The front ends call it as a
 * {@link NodeRouter}; it books every call's one outcome, which comes back with the provider's answer, in the node's
 * one {@link DeploymentBook}, metrics, spend and request log, which it shares with the other loops' routers through
 * {@link NodeRouting}.
 */
public final class RoutingVerticle extends VerticleBase implements NodeRouter {

  private static final Logger LOG = Logger.getLogger(RoutingVerticle.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Margin so the upstream's own timeout (a clean 504) fires before the router gives up on the provider's answer. */
  private static final long REPLY_MARGIN_MILLIS = 5_000;
  /** Margin over the router's timeout before a front end gives up on the router (a safety net: nothing should hang). */
  private static final long ROUTE_MARGIN_MILLIS = 30_000;
  /**
   * The longest the router holds a request to retry it on the deployment that failed it. A longer wait is the
   * client's to make: the error reaches it with its {@code retry-after}, and the connection is not held meanwhile.
   */
  static final long MAX_SAME_DEPLOYMENT_WAIT_MILLIS = 5_000;

  private final NodeRouting shared;
  private final GatewayConfig config;
  private final DeploymentBook book;
  private RoutingPolicy policy;
  private BackgroundResponses background;
  private final AliasFallbacks fallbacks;
  private final Map<String, UpstreamCalls> providers;

  /**
   * @param shared    the node's routing state, deployed (started) before this router
   * @param providers the provider verticles deployed beside this one, on its event loop, by registration name
   */
  public RoutingVerticle(NodeRouting shared, Map<String, UpstreamCalls> providers) {
    this.shared = shared;
    this.providers = Map.copyOf(providers);
    this.config = shared.gatewayConfig();
    this.book = shared.book();
    this.fallbacks = new AliasFallbacks(config.groups(), this::dispatchOnAlias);
  }

  @Override
  public Future<?> start() {
    UnpinnedStrategy strategy = shared.strategy();
    policy = shared.cacheAffinity()
        ? new CacheAffinityPolicy(shared.pins(), shared.refresher(), strategy, book.eligibility(), context,
            config.router().warmUpWait(), config.router().hotPrefixDeployments())
            .balancing(book.load(), new Balance.Bounds(config.router().balanceAbsThreshold(),
                config.router().balanceRelThreshold()))
            .limitingPins(new PinQuota(config.router().maxPinsPerTenant()))
        : new UnpinnedPolicy(strategy, book.eligibility());
    background = new BackgroundResponses(shared.owedUsage(), context, config.router().backgroundUsageCheck(),
        config::deployment, this::answerOf, this::settled, shared.backgroundChecks());
    return Future.succeededFuture();
  }

  /**
   * A request from this node's ingress ({@link dev.affinity.router.ingress.IngressPipeline}), from any thread: routed
   * on this verticle's event loop (at once when called from it, as the front ends of its loop do), answered on the
   * caller's. Past the router's timeout and a margin the caller gets a
   * 504 whatever the router is doing, so that no front end waits forever; an answer that comes later is dropped (its
   * stream cancelled).
   */
  @Override
  public Future<GatewayReply> route(GatewayRequest request) {
    Context caller = Vertx.currentContext();
    Promise<GatewayReply> answer = Promise.promise();
    long deadline = vertx.setTimer(config.router().timeout().toMillis() + ROUTE_MARGIN_MILLIS, late ->
        answer.tryFail(GatewayError.upstreamTimeout("the gateway timed out waiting for the router").toReplyException()));
    Handler<Void> routing = v -> dispatch(request).onComplete(result -> {
      AsyncResult<GatewayReply> outcome = result.succeeded() ? result : Future.failedFuture(carried(result.cause()));
      // the timer is cancelled on the thread that set it: from here, Netty would wake that thread once more for it
      Handler<Void> settle = w -> {
        vertx.cancelTimer(deadline);
        answered(answer, outcome);
      };
      if (caller == null || caller == context) {
        settle.handle(null);
      } else {
        caller.runOnContext(settle);
      }
    });
    // the node's front ends call from this router's own loop: no hand-off at all
    if (caller == context) {
      routing.handle(null);
    } else {
      context.runOnContext(routing);
    }
    return answer.future();
  }

  /** Completes the caller's answer, unless the deadline failed it first: a late stream is then cancelled. */
  private static void answered(Promise<GatewayReply> answer, AsyncResult<GatewayReply> outcome) {
    boolean taken = outcome.succeeded() ? answer.tryComplete(outcome.result()) : answer.tryFail(outcome.cause());
    if (!taken && outcome.succeeded() && outcome.result().stream() != null) {
      outcome.result().stream().cancel();
    }
  }

  /**
   * Routes one request and makes the upstream call, falling back to other aliases as configured; fails with a
   * {@link GatewayErrorException} carrying the error.
   */
  Future<GatewayReply> dispatch(GatewayRequest request) {
    return request.operation().onStoredResponse() ? dispatchStored(request) : fallbacks.dispatch(request);
  }

  /**
   * An operation on a stored response (retrieve, delete, cancel, list its input items): sent to the deployment its id
   * names, when that deployment serves its alias to this caller ({@link Tenants#reachable}, the check a follow-up's
   * {@code previous_response_id} gets); else not found, as OpenAI answers an id of another
   * organisation. Not a model call: no policy, no pin, no slot, no retry, no fallback, nothing booked for it (no
   * usage, no cost, no spend, no request-log line; the front end writes its access line), but the background call
   * that made the response, when this reads it back finished ({@link BackgroundResponses#settling}).
   */
  private Future<GatewayReply> dispatchStored(GatewayRequest request) {
    long receivedAt = System.nanoTime();
    String id = request.storedId();
    Deployment named = ResponseIds.origin(id).flatMap(origin -> config.deployment(origin.deploymentId()))
        .orElse(null);
    if (named == null) {
      return Future.failedFuture(storedNotFound(id, "it is not an id this gateway gave (a response made on a Claude"
          + " deployment is not stored: it cannot be read back)"));
    }
    if (named.provider() != ProviderKind.OPENAI) {
      return Future.failedFuture(storedNotFound(id, "it was made on a deployment that stores no responses (a Claude"
          + " deployment, answered over Chat Completions)"));
    }
    // the alias is the deployment's own model_name (a group alias or a wildcard's model is not in the id)
    if (shared.tenants().reachable(request.caller(), named.alias(), List.of(named)).isEmpty()) {
      return Future.failedFuture(storedNotFound(id, "it was made by a deployment this key may not use"));
    }
    shared.node().metrics().routingDecision(System.nanoTime() - receivedAt);
    ProviderCall call = new ProviderCall(request, named, request.body(), RouteKind.STORED,
        named.timeout(request.stream()).toMillis(), receivedAt, false);
    return answerOf(named, call)
        .map(reply -> reply.withRoute(RouteKind.STORED))
        .andThen(background.settling(request))
        .recover(failure -> Future.failedFuture(failure instanceof FailedCall failed
            ? failed.error().toReplyException() : failure));
  }

  /**
   * OpenAI's answer to an id it does not know (404 {@code invalid_request_error}), with why the gateway knows none;
   * the id is the client's own, cut like any value a client sent.
   */
  private static GatewayErrorException storedNotFound(String id, String why) {
    return new GatewayError(404, "invalid_request_error", "Response with id '" + LogLine.clip(id, 200)
        + "' not found: " + why + ".").toReplyException();
  }

  /** Routes one request on its own alias, retries included. */
  private Future<GatewayReply> dispatchOnAlias(GatewayRequest request) {
    long receivedAt = System.nanoTime();
    List<Deployment> candidates = config.deploymentsFor(request.model());
    if (candidates.isEmpty()) {
      return Future.failedFuture(GatewayError.modelNotFound("model '" + request.model()
          + "' is not served here; available models: " + String.join(", ", new TreeSet<>(config.aliases())))
          .toReplyException());
    }
    candidates = shared.tenants().reachable(request.caller(), request.model(), candidates);
    if (candidates.isEmpty()) {
      return Future.failedFuture(new GatewayError(403, "permission_error", "model '" + request.model()
          + "' has no deployment this key may use: not among its (or its team's) models, or reserved to other teams")
          .toReplyException());
    }
    GatewayRequest upstream;
    try {
      candidates = speakingOneApi(candidates);
      if (request.operation().countsTokens() && candidates.get(0).provider() == ProviderKind.OPENAI) {
        return Future.succeededFuture(estimatedCount(request));
      }
      // LiteLLM's drop_params, when whichever deployment is chosen would drop
      upstream = inUpstreamApi(request, candidates.get(0).provider(),
          candidates.stream().allMatch(deployment -> deployment.calls().dropsParams()));
    } catch (GatewayErrorException unroutable) {
      return Future.failedFuture(unroutable);
    }
    // a Responses stream always ends with its usage: bridged over Chat, it needs the Chat stream's usage chunk
    boolean streamUsage = request.operation() == Operation.RESPONSES
        || request.operation() == Operation.CHAT_COMPLETIONS && request.json() != null
        && request.json().path("stream_options").path("include_usage").asBoolean(false);
    Deployment holder;
    try {
      holder = storedResponseHolder(upstream, candidates);
    } catch (GatewayErrorException unroutable) {
      return Future.failedFuture(unroutable);
    }
    if (holder != null) {
      // the response lives only there: no other deployment can answer, healthy or not, so no policy and no failover
      shared.node().metrics().routingDecision(System.nanoTime() - receivedAt);
      return attempt(upstream, new Route(holder, RouteKind.STORED), List.of(holder), receivedAt, false,
          config.router().numRetries(), new HashSet<>());
    }
    List<Deployment> alias = withFreeSlots(candidates);
    if (alias.isEmpty()) {
      return Future.failedFuture(allAtTheirLimit(request.model()));
    }
    return policy.route(upstream, DeploymentOrder.first(book.eligibility().healthy(alias))).compose(route -> {
      shared.node().metrics().routingDecision(System.nanoTime() - receivedAt);
      return attempt(upstream, route, alias, receivedAt, streamUsage, config.router().numRetries(), new HashSet<>());
    });
  }

  /**
   * Calls the chosen deployment. When the call fails in a way that is not the client's fault (no answer, 429, 5xx,
   * 529) and nothing has reached the client yet, another deployment of the alias is tried, up to
   * {@code num_retries} times; the failed answer is dropped (a stream is cancelled before its first byte is relayed).
   * A {@code retry-after} cools the deployment that sent it for that long. The warm-up of the pins the request writes
   * ends with its final answer, not with a failed call it retries: the requests waiting for them wait for the retry.
   */
  private Future<GatewayReply> attempt(GatewayRequest request, Route route, List<Deployment> candidates,
                                       long receivedAt, boolean streamUsage, int retriesLeft, Set<String> tried) {
    Deployment deployment = route.deployment();
    tried.add(deployment.id());
    return call(request, route, receivedAt, streamUsage).transform(result -> {
      if (result.failed() && result.cause() instanceof SlotTaken) {
        policy.notCached(route);
        // filled by calls decided at the same moment (another loop, or while this one's claim was written): decided
        // again among the deployments with a free slot, as if it had come a moment later; no upstream was asked
        List<Deployment> free = withFreeSlots(candidates.stream().filter(d -> !tried.contains(d.id())).toList());
        if (free.isEmpty()) {
          return Future.failedFuture(allAtTheirLimit(request.model()));
        }
        return policy.route(request, DeploymentOrder.first(book.eligibility().healthy(free))).compose(next ->
            attempt(request, next, candidates, receivedAt, streamUsage, retriesLeft, tried));
      }
      int status = result.succeeded() ? result.result().status()
          : result.cause() instanceof ReplyException reply ? reply.failureCode() : 500;
      long askedMillis = 0;
      if (result.succeeded()) {
        DeploymentBook.Answered answered = book.answered(deployment.id(), status, result.result().headers());
        answered.cooledUntil().ifPresent(until -> publishCooldown(deployment.id(), until));
        askedMillis = answered.retryAfterMillis();
      }
      if (retriesLeft <= 0 || !DeploymentHealth.upstreamFault(status)) {
        return finalAnswer(route, result);
      }
      List<Deployment> others = withFreeSlots(candidates.stream().filter(d -> !tried.contains(d.id())).toList());
      long waitMillis = Math.max(config.router().retryAfter().toMillis(), askedMillis);
      // the same deployment again only when it answered: a call that got no answer would likely wait as long again
      boolean canWait = result.succeeded() && waitMillis <= MAX_SAME_DEPLOYMENT_WAIT_MILLIS
          && fitsBeforeDeadline(receivedAt, waitMillis);
      if (others.isEmpty() && !canWait) {
        return finalAnswer(route, result);
      }
      if (result.succeeded() && result.result().stream() != null) {
        result.result().stream().cancel();
      }
      // wait or move: a short retry-after where the request's prefix is cached may cost less than writing it elsewhere
      boolean waitHere = others.isEmpty() || askedMillis > 0 && canWait && route.cachedTokens() > 0
          && book.price(deployment.id(), request.model()).map(price -> CostModel.worthWaiting(price, route.cachedTokens(),
              waitMillis, config.router().retryWaitCostPerSecond())).orElse(false);
      if (waitHere) {
        LOG.info(() -> "request=" + request.requestId() + " retried on " + deployment.id() + " in " + waitMillis
            + " ms after it answered " + status);
        Route again = route.movedTo(deployment, RouteKind.RETRIED);
        return waitMillis == 0 ? attempt(request, again, candidates, receivedAt, streamUsage, retriesLeft - 1, tried)
            : vertx.timer(waitMillis).compose(waited -> attempt(request, again, candidates, receivedAt, streamUsage,
                retriesLeft - 1, tried));
      }
      // the policy says where this request's prefix goes next, the same on every node, and moves its pins there
      return policy.failover(request, route, DeploymentOrder.first(book.eligibility().healthy(others)))
          .compose(next -> {
        LOG.info(() -> "request=" + request.requestId() + " retried on " + next.deployment().id() + " after "
            + deployment.id() + " answered " + status);
        return attempt(request, next, candidates, receivedAt, streamUsage, retriesLeft - 1, tried);
      });
    });
  }

  /**
   * The answer the client gets, once the warm-up of the pins its request writes is ended: over when it is a success
   * (the prompt is cached), handed to a request waiting for it when it is an error (nothing was cached).
   */
  private Future<GatewayReply> finalAnswer(Route route, AsyncResult<GatewayReply> result) {
    if (result.succeeded() && result.result().status() < 400) {
      policy.answered(route);
    } else {
      policy.notCached(route);
    }
    return result.succeeded() ? Future.succeededFuture(result.result()) : Future.failedFuture(result.cause());
  }

  /**
   * The deployment a Responses API follow-up must go to: the one its {@code previous_response_id} names
   * ({@link ResponseIds}), when that deployment serves the alias for this caller; null for any other request.
   *
   * @throws GatewayErrorException a 400 naming {@code previous_response_id} for an id the gateway did not give, or one
   *                               of a deployment outside {@code candidates}
   */
  private static Deployment storedResponseHolder(GatewayRequest request, List<Deployment> candidates) {
    if (request.operation() != Operation.RESPONSES) {
      return null;
    }
    JsonNode body = parsed(request);
    if (!ResponseIds.continuesStored(body)) {
      return null;
    }
    String deploymentId = ResponseIds.origin(body.get(ResponseIds.PREVIOUS_RESPONSE_ID).textValue())
        .map(ResponseIds.Origin::deploymentId)
        .orElseThrow(() -> GatewayError.invalidField(ResponseIds.PREVIOUS_RESPONSE_ID,
            "previous_response_id: not a response id this gateway gave").toReplyException());
    // candidates are the alias's deployments this caller may use: a forged id can pick no other
    return candidates.stream().filter(deployment -> deployment.id().equals(deploymentId)).findFirst()
        .orElseThrow(() -> GatewayError.invalidField(ResponseIds.PREVIOUS_RESPONSE_ID, "previous_response_id: the"
            + " response was made by a deployment that does not serve model '" + request.model() + "' for this key")
            .toReplyException());
  }

  /** Whether a wait of {@code millis} still leaves the request inside the router's timeout. */
  private boolean fitsBeforeDeadline(long receivedAtNanos, long millis) {
    long elapsed = (System.nanoTime() - receivedAtNanos) / 1_000_000;
    return elapsed + millis < config.router().timeout().toMillis();
  }

  /**
   * The request in the canonical form of the pair its client and the chosen deployments' API make (an OpenAI request
   * for Claude deployments becomes a Messages request), before routing, so the prefix chain is computed on what is
   * actually sent. A pair that is not served is refused, naming the API to call instead. With {@code dropParams}
   * (LiteLLM's {@code drop_params}) what the pair cannot send is dropped first rather than refused.
   */
  private static GatewayRequest inUpstreamApi(GatewayRequest request, ProviderKind upstream, boolean dropParams) {
    Translator translator;
    try {
      translator = Translators.of(request.operation().api(), upstream, request.model());
    } catch (Translators.NotServed notServed) {
      throw notServed.error().toReplyException();
    }
    JsonNode clientBody = dropParams ? translator.droppingUnserved(parsed(request)) : parsed(request);
    JsonNode canonical;
    try {
      canonical = translator.canonical(clientBody);
    } catch (TranslationException untranslatable) {
      throw GatewayError.invalidField(untranslatable.param(), untranslatable.getMessage()).toReplyException();
    }
    if (canonical == clientBody) {
      return request;
    }
    return new GatewayRequest(request.requestId(), request.operation(), request.model(), request.stream(),
        request.tenant(), request.headers(), null, JsonBody.of(canonical), canonical, request.caller());
  }

  /** The client's body as parsed at the ingress, or parsed here after a cluster hop (which carries only the bytes). */
  private static JsonNode parsed(GatewayRequest request) {
    if (request.json() != null) {
      return request.json();
    }
    try {
      return JSON.readTree(request.body().getBytes());
    } catch (IOException malformed) {
      throw GatewayError.invalidRequest("request body is not valid JSON").toReplyException();
    }
  }

  /**
   * {@code count_tokens} for deployments that cannot count (Chat Completions has no such endpoint, and the request
   * would be answered, and paid for, as a completion): the gateway's own estimate, the prefix chain's token count of
   * the request, as LiteLLM answers with its local tokenizer. No upstream is called, nothing is pinned or booked.
   */
  private static GatewayReply estimatedCount(GatewayRequest request) {
    long tokens;
    try {
      tokens = PrefixChain.ofMessages(parsed(request), "").totalTokens();
    } catch (RuntimeException unusual) {
      throw GatewayError.invalidRequest("the request's messages cannot be counted: " + unusual.getMessage())
          .toReplyException();
    }
    return new GatewayReply(200, Map.of("content-type", "application/json"),
        Buffer.buffer("{\"input_tokens\":" + tokens + "}"), null, null, RouteKind.UNPINNED);
  }

  private static GatewayErrorException allAtTheirLimit(String model) {
    return new GatewayError(429, "rate_limit_error", "every deployment of model '" + model
        + "' is serving its max_parallel_requests; retry shortly").toReplyException();
  }

  /** The chosen deployment's last free slot was taken between the decision and the call: nothing was sent. */
  private static final class SlotTaken extends RuntimeException {
    SlotTaken() {
      super("the deployment is at its max_parallel_requests", null, false, false);
    }
  }

  /** The deployments below their {@code max_parallel_requests} on this node. */
  private List<Deployment> withFreeSlots(List<Deployment> candidates) {
    return candidates.stream().filter(d -> d.calls().maxParallelRequests() == null
        || book.inFlight().count(d.id()) < d.calls().maxParallelRequests()).toList();
  }

  /** An alias is served through one upstream API; deployments of another are left out, with a warning once. */
  private List<Deployment> speakingOneApi(List<Deployment> candidates) {
    ProviderKind first = candidates.get(0).provider();
    if (candidates.stream().allMatch(deployment -> deployment.provider() == first)) {
      return candidates;
    }
    if (shared.firstMixedWarning(candidates.get(0).alias())) {
      LOG.warning("alias '" + candidates.get(0).alias() + "' mixes deployments of different APIs; only the "
          + first.name().toLowerCase(java.util.Locale.ROOT) + " ones are used");
    }
    return candidates.stream().filter(deployment -> deployment.provider() == first).toList();
  }

  /**
   * Sends the call to the provider verticle and books its one outcome, however it ends: with a complete answer, at
   * the end of a stream, or with the failure.
   */
  private Future<GatewayReply> call(GatewayRequest request, Route route, long receivedAt, boolean streamUsage) {
    Deployment deployment = route.deployment();
    if (!book.dispatched(deployment.id(), deployment.calls().maxParallelRequests())) {
      return Future.failedFuture(new SlotTaken());
    }
    String upstreamModel = deployment.upstreamModel(request.model());
    Buffer body = route.body() != null ? route.body() : request.body();
    if (!upstreamModel.equals(request.model())) {
      body = ModelField.replace(body, upstreamModel);
    }
    long timeout = deployment.timeout(request.stream()).toMillis();
    return answerOf(deployment, new ProviderCall(request, deployment, body, route.kind(), timeout, receivedAt,
        streamUsage))
        .map(reply -> reply.withRoute(route.kind()))
        .andThen(booking(new UsageReport.Pending(request, deployment, route.kind()), receivedAt,
            BackgroundResponses.inBackground(request)))
        // booked: the provider's failure goes on as the error the client gets
        .recover(failure -> Future.failedFuture(failure instanceof FailedCall failed
            ? failed.error().toReplyException() : failure));
  }

  /**
   * The provider's answer to {@code call}, or a 504 if it has none past the call's timeout and a margin: the
   * provider's own timeouts answer first, this only keeps a call that never ends from holding its slot forever (an
   * answer that comes later is dropped, its stream cancelled).
   */
  private Future<GatewayReply> answerOf(Deployment deployment, ProviderCall call) {
    UpstreamCalls provider = providers.get(deployment.registration().name());
    if (provider == null) {
      return Future.failedFuture(GatewayError.internal("no provider verticle for '" + deployment.registration().name()
          + "' on this node").toReplyException());
    }
    Promise<GatewayReply> answer = Promise.promise();
    long deadline = vertx.setTimer(call.timeoutMillis() + REPLY_MARGIN_MILLIS, late -> answer.tryFail(
        GatewayError.upstreamTimeout("the gateway timed out waiting for the upstream answer").toReplyException()));
    provider.call(call).onComplete(result -> {
      vertx.cancelTimer(deadline);
      answered(answer, result);
    });
    return answer.future();
  }

  /**
   * Books the call's outcome however the call ended. What it holds is {@code pending}, not the request: a stream's
   * outcome comes when it ends, and the request must be garbage long before. A background response answered
   * {@code queued} has no usage yet: its call is booked when the response is read back finished
   * ({@link BackgroundResponses}).
   */
  private Handler<AsyncResult<GatewayReply>> booking(UsageReport.Pending pending, long receivedAt,
                                                     boolean background) {
    return result -> {
      if (result.failed()) {
        finished(pending.of(failedOutcome(result.cause(), receivedAt)));
      } else if (result.result().stream() != null) {
        // booked from whichever thread ends the stream: what it books into is safe to share between loops
        result.result().stream().outcome().onComplete(ended -> {
          CallOutcome outcome = ended.succeeded() ? ended.result() : failedOutcome(ended.cause(), receivedAt);
          if (background && outcome.runningResponse() != null) {
            // its client left a background response's stream: the upstream runs on, its usage is to come
            context.runOnContext(v -> owe(outcome.runningResponse(), pending, outcome));
          } else {
            finished(pending.of(outcome));
          }
        });
      } else {
        String running = background ? BackgroundResponses.runningResponseId(result.result()) : null;
        if (running == null) {
          finished(pending.of(result.result().outcome()));
        } else {
          owe(running, pending, result.result().outcome());
        }
      }
    };
  }

  /** Books the end of a background response's call now, and its usage once the response is read back finished. */
  private void owe(String responseId, UsageReport.Pending pending, CallOutcome outcome) {
    book.ended(pending.of(outcome)).ifPresent(until -> publishCooldown(pending.deploymentId(), until));
    background.owe(responseId, new BackgroundCall(pending, outcome.status(), outcome.timing()));
  }

  /**
   * The outcome of a call that failed: the provider's, or, when the event bus gave up first (the provider never
   * answered in time), a timeout nobody measured further.
   */
  private static CallOutcome failedOutcome(Throwable failure, long receivedAt) {
    if (failure instanceof FailedCall failed) {
      return failed.outcome();
    }
    GatewayError error = GatewayError.from(failure);
    return new CallOutcome(error.status(), TokenUsage.NONE, error.type(),
        new UsageReport.Timing(-1, -1, System.nanoTime() - receivedAt));
  }

  /** Books one call's outcome from one place: the deployment's state, then metrics, spend and the request log. */
  private void finished(UsageReport report) {
    DeploymentBook.Booked booked = book.finished(report);
    booked.cooledUntil().ifPresent(until -> publishCooldown(report.deploymentId(), until));
    accounted(report, booked.cost());
  }

  /** Books the usage of a background response's call, {@link #owe owed} when the call ended. */
  private void settled(UsageReport report) {
    accounted(report, book.settled(report));
  }

  /** A call's usage in the metrics, its caller's spend and the request log. */
  private void accounted(UsageReport report, CostModel.RequestCost cost) {
    shared.node().metrics().booked(report, cost.cost(), cost.costWithoutCache());
    shared.tenants().spent(report, cost.cost());
    TokenUsage usage = report.usage();
    Caller caller = report.caller();
    // fields, not a format string: the model is the client's, escaped and cut like any value a client sent;
    // the audit trail: whose request (key hash prefix, team), from where; never the key
    // built, formatted and written off this event loop, from the report's immutable values
    shared.requestLog().write(() -> new LogLine().with("request", report.requestId())
        .with("model", LogLine.clip(report.alias(), 100))
        .with("deployment", report.deploymentId()).with("route", RouteKind.labelOf(report.route())).with("status", report.status())
        .with("stream", report.stream()).with("latency_ms", report.latencyMillis())
        .with("input", usage.inputTokens()).with("cache_write", usage.cacheCreationInputTokens())
        .with("cache_read", usage.cacheReadInputTokens()).with("output", usage.outputTokens())
        .with("cost_usd", usd(cost.cost())).with("saved_usd", usd(cost.saving()))
        .with("key", caller.virtualKey() ? caller.keyHashPrefix() : caller.admin() ? "master" : "-")
        .with("team", caller.teamId() == null ? "-" : caller.teamId())
        .with("client", caller.client() == null ? "-" : caller.client())
        .with("error", report.errorType()));
  }

  private static BigDecimal usd(double amount) {
    return BigDecimal.valueOf(Double.isFinite(amount) ? amount : 0).setScale(6, RoundingMode.HALF_UP);
  }

  private void publishCooldown(String deploymentId, long untilMillis) {
    LOG.warning(() -> "deployment " + deploymentId + " cools down for "
        + Math.max(0, untilMillis - System.currentTimeMillis()) + " ms");
    if (shared.cooldowns() != null) {
      shared.cooldowns().publish(deploymentId, untilMillis, context).onFailure(failure ->
          LOG.warning("could not share the cooldown of " + deploymentId + ": " + failure.getMessage()));
    }
  }

  /** The error a failure carries: the gateway's own, or a 500 that says nothing internal. */
  private static GatewayErrorException carried(Throwable failure) {
    if (failure instanceof GatewayErrorException carried) {
      return carried;
    }
    if (!(failure instanceof ReplyException)) {
      LOG.log(Level.WARNING, "a request failed inside the router", failure);
    }
    return GatewayError.from(failure).toReplyException();
  }
}
