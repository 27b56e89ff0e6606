package dev.affinity.router.routing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.affinity.model.GatewayError;
import dev.affinity.model.GatewayRequest;
import dev.affinity.model.Operation;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.InjectionPoint;
import dev.affinity.model.config.ProviderKind;
import dev.affinity.model.config.VertexSettings;
import dev.affinity.router.cache.AffinityDecision;
import dev.affinity.router.cache.AutomaticPrefixChain;
import dev.affinity.router.cache.Balance;
import dev.affinity.router.cache.CacheTtl;
import dev.affinity.router.cache.HotPrefixSpread;
import dev.affinity.router.cache.InjectionPoints;
import dev.affinity.router.cache.LookupPlan;
import dev.affinity.router.cache.MinimumCacheable;
import dev.affinity.router.cache.PinPlan;
import dev.affinity.router.cache.PrefixChain;
import dev.affinity.router.cache.Rendezvous;
import dev.affinity.router.cache.RouteKind;
import dev.affinity.router.cache.SessionKey;
import dev.affinity.router.pins.PinMap;
import dev.affinity.router.routing.strategy.UnpinnedStrategy;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Prompt-cache affinity: sends a request to the deployment where the longest prefix of its prompt is pinned, and
 * pins new cacheable prefixes at routing time, atomically across the cluster, so concurrent requests agree.
 * The prefix chain and the decision are pure ({@code dev.affinity.router.cache}); this class does the I/O: one
 * lookup round trip, then one write round trip when something new is pinned (refreshes alone are not waited for).
 */
public final class CacheAffinityPolicy implements RoutingPolicy {

  private static final Logger LOG = Logger.getLogger(CacheAffinityPolicy.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();
  /** OpenAI and Gemini Flash cache prompts of 1,024 tokens and more; Gemini Pro of 4,096. */
  static final int AUTOMATIC_MINIMUM_TOKENS = 1024;
  static final int GEMINI_PRO_MINIMUM_TOKENS = 4096;
  /** How often a request waiting for a warm-up looks at the pin again. */
  private static final long WARM_UP_POLL_MILLIS = 20;

  private final PinMap pins;
  private final UnpinnedStrategy strategy;
  private final Eligibility eligibility;
  private final int spread;
  private final Context context;
  private final long warmUpMillis;
  private DeploymentLoad load;
  private Balance.Bounds bounds;

  /**
   * @param warmUp how long a request waits for the first request of its new prefix to be answered; 0 never
   * @param spread how many deployments a hot prefix may use when its own has no rate-limit headroom
   */
  public CacheAffinityPolicy(PinMap pins, UnpinnedStrategy strategy, Eligibility eligibility, Context context,
                             Duration warmUp, int spread) {
    this.pins = pins;
    this.strategy = strategy;
    this.eligibility = eligibility;
    this.spread = spread;
    this.context = context;
    this.warmUpMillis = warmUp.toMillis();
  }

  /**
   * Places new sessions by load as well as by cache: a shared prefix is followed only to owners within
   * {@code bounds}, else a new owner is opened on the least-loaded deployment (see {@link AffinityDecision#place}).
   */
  public CacheAffinityPolicy balancing(DeploymentLoad load, Balance.Bounds bounds) {
    this.load = load;
    this.bounds = bounds;
    return this;
  }

  /** The balance of this request's choices: requests per minute per cache scope, cluster-wide. */
  private Balance balance(List<Deployment> choices, Set<String> openScopes) {
    if (load == null) {
      return null;
    }
    Map<String, Long> loads = new HashMap<>();
    choices.forEach(deployment -> loads.merge(deployment.cacheScope(), load.of(deployment.id()).requestsPerMinute(),
        Long::sum));
    return new Balance(loads, openScopes.isEmpty() ? loads.keySet() : openScopes, bounds);
  }

  @Override
  public Future<Route> route(GatewayRequest request, List<Deployment> candidates) {
    List<Deployment> eligible = eligibility.healthy(candidates);
    if (request.operation() == Operation.COUNT_TOKENS) {
      // counting tokens caches nothing upstream: it must neither claim pins nor count as a pinned miss
      return Future.succeededFuture(new Route(strategy.pick(eligibility.withHeadroom(eligible)), "unpinned"));
    }
    JsonNode json;
    try {
      json = request.json() != null ? request.json() : JSON.readTree(request.body().getBytes());
    } catch (IOException malformed) {
      return Future.failedFuture(GatewayError.invalidRequest("malformed JSON").toReplyException());
    }

    Deployment reference = candidates.get(0);
    String scope = request.tenant() + '\u0000' + request.model();
    Buffer body = null;
    LookupPlan lookup;
    PinPlan plan;
    java.util.function.IntToLongFunction tokensThrough;
    String upstreamModel = reference.upstreamModel(request.model());
    if (reference.provider() == ProviderKind.OPENAI && !reference.openAi().api().cachesAutomatically()) {
      // a provider without a prompt cache: nothing to be near, the strategy alone decides
      return Future.succeededFuture(new Route(strategy.pick(eligibility.withHeadroom(eligible)), "unpinned"));
    }
    if (cachesAutomatically(reference, upstreamModel)) {
      // automatic caching: no markers, every boundary past the minimum is a candidate
      AutomaticPrefixChain chain = AutomaticPrefixChain.ofChatCompletions(
          reference.provider() == ProviderKind.OPENAI ? json : asConversation(json), scope);
      Integer configured = reference.info().minCacheableTokens();
      int minimum = configured != null ? configured : automaticMinimum(upstreamModel);
      lookup = chain.lookupPlan(minimum);
      plan = chain.pinPlan(minimum);
      tokensThrough = chain::tokensThrough;
    } else {
      // markers the gateway injects are part of what is sent, so they are part of what is hashed
      List<InjectionPoint> injection = reference.injectionPoints();
      if (!injection.isEmpty() && json instanceof ObjectNode object) {
        ObjectNode copy = object.deepCopy();
        InjectionPoints.Outcome outcome = InjectionPoints.apply(copy, injection.stream()
            .map(point -> new InjectionPoints.Point(point.role(), point.index(), null)).toList());
        if (outcome.injected() > 0) {
          json = copy;
          try {
            body = Buffer.buffer(JSON.writeValueAsBytes(copy));
          } catch (JsonProcessingException impossible) {
            return Future.failedFuture(impossible);
          }
        }
      }
      PrefixChain chain = PrefixChain.ofMessages(json, scope);
      Integer configuredMinimum = reference.info().minCacheableTokens();
      int minimum = MinimumCacheable.tokens(upstreamModel,
          configuredMinimum == null ? OptionalInt.empty() : OptionalInt.of(configuredMinimum));
      lookup = LookupPlan.of(chain);
      plan = PinPlan.of(chain, minimum);
      tokensThrough = chain::tokensThrough;
    }
    List<Deployment> choices = eligible;
    List<Deployment> withRoom = choices.stream().filter(eligibility::hasHeadroom).toList();
    List<Deployment> open = withRoom.isEmpty() ? choices : withRoom; // none has room: better to try than to refuse
    Buffer sent = body;
    String sessionKey = SessionKey.of(json, request.headers()).map(id -> SessionKey.pinKey(scope, id)).orElse(null);
    if (lookup.isEmpty() && plan.isEmpty() && sessionKey == null) {
      return Future.succeededFuture(new Route(strategy.pick(open), "unpinned", sent));
    }
    // pins name cache scopes: deployments that share a provider cache are one for affinity
    Set<String> eligibleScopes = new HashSet<>();
    choices.forEach(deployment -> eligibleScopes.add(deployment.cacheScope()));
    Set<String> openScopes = new HashSet<>();
    withRoom.forEach(deployment -> openScopes.add(deployment.cacheScope()));
    Set<String> saturated = new HashSet<>(eligibleScopes);
    saturated.removeAll(openScopes);
    java.util.function.IntToLongFunction tokens = tokensThrough;
    Map<String, Integer> blocks = new HashMap<>();
    lookup.probes().forEach(probe -> blocks.put(probe.key(), probe.block()));
    plan.pins().forEach(pin -> blocks.put(pin.key(), pin.block()));
    List<String> keys = lookup.keys();
    if (sessionKey != null) {
      keys = new ArrayList<>(keys);
      keys.add(sessionKey);
    }
    return pins.lookup(keys, context).compose(found -> {
      AffinityDecision.Placement placement = AffinityDecision.Placement.of(eligibleScopes,
              () -> strategy.pick(open).cacheScope())
          .saturated(saturated, (key, home) -> HotPrefixSpread.spillTo(key, home, eligibleScopes, spread,
              openScopes::contains).orElse(home))
          .takeOver((key, stale) -> takeOver(key, stale, openScopes.isEmpty() ? eligibleScopes : openScopes))
          .balance(balance(choices, openScopes))
          .session(sessionKey);
      AffinityDecision decision = AffinityDecision.place(lookup, plan, found.allOwners(), placement);
      if (decision.kind() == RouteKind.REPINNED || decision.kind() == RouteKind.SPILLED
          || decision.kind() == RouteKind.BALANCED) {
        LOG.info(() -> "request=" + request.requestId() + " " + decision.kind().name().toLowerCase(Locale.ROOT)
            + " to " + decision.deploymentId() + ": " + decision.reason().orElse("pinned deployment not eligible"));
      }
      if (!decision.writes()) {
        pins.apply(decision, 0, context).onFailure(failure ->
            LOG.log(Level.WARNING, "pin refresh failed: " + failure.getMessage()));
        Route route = route(decision, decision.deploymentId(), choices, candidates, sent, request)
            .holding(held(decision, decision.deploymentId(), Map.of(), blocks), cached(decision, tokens));
        return afterWarmUp(decision.pinnedKey().orElse(null), found, decision.deploymentId(), route, request);
      }
      long warmingSince = warmUpMillis > 0 ? System.currentTimeMillis() : 0;
      return pins.apply(decision, warmingSince, context).compose(written -> {
        String chosen = decision.afterClaim(written.owners());
        Route route = route(decision, chosen, choices, candidates, sent, request)
            .holding(held(decision, chosen, written.owners(), blocks),
                chosen.equals(decision.deploymentId()) ? cached(decision, tokens) : 0);
        if (!chosen.equals(decision.deploymentId())) {
          repointWonKeys(decision, written.owners(), chosen);
        } else if (warmingSince > 0) {
          route = route.warming(warmingPins(decision, written, chosen, warmingSince));
        }
        String followed = decision.followedKey(written.owners(), chosen).orElse(null);
        return afterWarmUp(followed, followed != null && written.owners().containsKey(followed) ? written : found,
            chosen, route, request);
      });
    });
  }

  /**
   * Where every node moves a prefix whose deployment {@code stale} failed: the first of {@code scopes} (without
   * {@code stale}) by rendezvous hashing of {@code key}, the shortest prefix the request holds there, which the
   * sessions sharing it share too.
   */
  private static String takeOver(String key, String stale, Set<String> scopes) {
    Set<String> others = new HashSet<>(scopes);
    others.remove(stale);
    return Rendezvous.first(key, others.isEmpty() ? scopes : others).orElse(stale);
  }

  /**
   * Moves the request and its pins after its deployment failed before the first byte: to where
   * {@link #takeOver} puts its shortest held prefix among {@code others} (the same choice on every node), with a
   * compare-and-set of each held pin from the failed scope to the new one, so the session's next turn follows
   * without another write.
   */
  @Override
  public Future<Route> failover(GatewayRequest request, Route failed, List<Deployment> others) {
    List<Deployment> open = eligibility.withHeadroom(eligibility.healthy(others));
    if (failed.held().isEmpty()) {
      return Future.succeededFuture(failed.movedTo(strategy.pick(open), "retried"));
    }
    String stale = failed.deployment().cacheScope();
    Set<String> scopes = new HashSet<>();
    open.forEach(deployment -> scopes.add(deployment.cacheScope()));
    String target = takeOver(failed.held().get(0).key(), stale, scopes);
    Deployment next = inScope(target, open);
    if (next == null || target.equals(stale)) {
      // every other deployment shares the failed one's cache: the pins stay
      return Future.succeededFuture(failed.movedTo(next != null ? next : strategy.pick(open), "retried"));
    }
    Map<String, CacheTtl> keys = new HashMap<>();
    failed.held().forEach(held -> keys.put(held.key(), held.ttl()));
    return pins.repoint(keys, stale, target, context)
        .otherwise(failure -> {
          LOG.log(Level.WARNING, "could not move pins after a failover: " + failure.getMessage());
          return null;
        })
        .map(moved -> failed.movedTo(next, "retried"));
  }

  /** Estimated tokens of the pinned prefix the decision follows: what its deployment holds for the request. */
  private static long cached(AffinityDecision decision, java.util.function.IntToLongFunction tokens) {
    return decision.pinnedBlock().isPresent() ? tokens.applyAsLong(decision.pinnedBlock().getAsInt()) : 0;
  }

  /** The keys the request ties to {@code chosen}, shortest prefix first, for {@link #failover}. */
  private static List<Route.Held> held(AffinityDecision decision, String chosen, Map<String, String> written,
                                       Map<String, Integer> blocks) {
    Map<String, CacheTtl> keys = new HashMap<>();
    decision.refreshes().forEach(refresh -> keys.put(refresh.key(), refresh.ttl()));
    decision.additions().forEach(addition -> keys.put(addition.key(), addition.ttl()));
    decision.writtenLongestFirst().forEach(write -> {
      if (written.isEmpty() || chosen.equals(written.get(write.key()))) {
        keys.put(write.key(), write.ttl());
      }
    });
    List<Route.Held> held = new ArrayList<>();
    keys.forEach((key, ttl) -> held.add(new Route.Held(key, ttl)));
    held.sort(Comparator.comparingInt((Route.Held h) -> blocks.getOrDefault(h.key(), Integer.MAX_VALUE))
        .thenComparing(Route.Held::key));
    return held;
  }

  @Override
  public void answered(Route route) {
    if (!route.warming().isEmpty()) {
      pins.warmed(route.warming(), route.deployment().cacheScope(), context).onFailure(failure ->
          LOG.log(Level.WARNING, "could not end a pin's warm-up: " + failure.getMessage()));
    }
  }

  /** The pins this request won, still warming up under its own mark: it writes their cache entries. */
  private static Map<String, Long> warmingPins(AffinityDecision decision, PinMap.Found written, String chosen,
                                               long warmingSince) {
    Map<String, Long> won = new HashMap<>();
    decision.writtenLongestFirst().forEach(write -> {
      if (chosen.equals(written.owners().get(write.key()))
          && Long.valueOf(warmingSince).equals(written.warming().get(write.key()))) {
        won.put(write.key(), write.ttl().duration().toSeconds());
      }
    });
    return won;
  }

  /**
   * Holds a request whose prefix another request is the first to send to {@code scope} until that one is answered
   * (the provider then has the prefix cached, so this one reads it instead of writing it again), for at most the
   * warm-up wait. A warm-up older than the wait is over, whatever its mark says: its request may be gone.
   */
  private Future<Route> afterWarmUp(String followedKey, PinMap.Found state, String scope, Route route,
                                    GatewayRequest request) {
    Long since = followedKey == null ? null : state.warming().get(followedKey);
    if (since == null || warmUpMillis == 0 || route.warming().containsKey(followedKey)) {
      return Future.succeededFuture(route);
    }
    long now = System.currentTimeMillis();
    long deadline = Math.min(now, since) + warmUpMillis;
    if (now >= deadline) {
      return Future.succeededFuture(route);
    }
    return waitForWarmUp(followedKey, scope, deadline).map(waited -> {
      LOG.fine(() -> "request=" + request.requestId() + " waited " + (System.currentTimeMillis() - now)
          + " ms for the cache write of its prefix on " + scope);
      return route;
    });
  }

  private Future<Void> waitForWarmUp(String key, String scope, long deadline) {
    return context.owner().timer(WARM_UP_POLL_MILLIS, TimeUnit.MILLISECONDS)
        .compose(tick -> pins.lookup(List.of(key), context))
        .compose(now -> {
          boolean warm = !now.warming().containsKey(key) || !scope.equals(now.owners().get(key));
          return warm || System.currentTimeMillis() >= deadline ? Future.<Void>succeededFuture()
              : waitForWarmUp(key, scope, deadline);
        });
  }

  /**
   * Whether {@code deployment} caches prompt prefixes by itself, without markers, when sent {@code upstreamModel}:
   * OpenAI, and Gemini through the Gemini API or on Vertex AI (whose Claude caches at markers, as Anthropic's).
   */
  static boolean cachesAutomatically(Deployment deployment, String upstreamModel) {
    return switch (deployment.provider()) {
      case OPENAI, GEMINI -> true;
      case VERTEX -> VertexSettings.servesGemini(upstreamModel);
      default -> false;
    };
  }

  static int automaticMinimum(String model) {
    return model.startsWith("gemini") && model.contains("-pro") ? GEMINI_PRO_MINIMUM_TOKENS
        : AUTOMATIC_MINIMUM_TOKENS;
  }

  /**
   * An Anthropic request laid out as the conversation a provider with automatic caching sees (Gemini: tools, the
   * system instruction, then the turns). Anthropic text blocks have the shape of chat text parts, so the automatic
   * chain reads them as such; {@code cache_control} markers are ignored, as the provider ignores them.
   */
  private static JsonNode asConversation(JsonNode anthropic) {
    ObjectNode conversation = JSON.createObjectNode();
    if (anthropic.has("tools")) {
      conversation.set("tools", anthropic.get("tools"));
    }
    var messages = conversation.putArray("messages");
    JsonNode system = anthropic.get("system");
    if (system != null && !system.isNull()) {
      messages.addObject().put("role", "system").set("content", system);
    }
    anthropic.path("messages").forEach(messages::add);
    return conversation;
  }

  /** A deployment of {@code scope} among {@code deployments}, by the normal strategy when several share it. */
  private Deployment inScope(String scope, List<Deployment> deployments) {
    List<Deployment> sharing = deployments.stream().filter(d -> d.cacheScope().equals(scope)).toList();
    return sharing.isEmpty() ? null : sharing.size() == 1 ? sharing.get(0) : strategy.pick(sharing);
  }

  /** This request lost the race for its longest prefix; the shorter ones it won must follow the winner too. */
  private void repointWonKeys(AffinityDecision decision, Map<String, String> owners, String winner) {
    Map<String, CacheTtl> won = new HashMap<>();
    decision.writtenLongestFirst().forEach(write -> {
      if (decision.deploymentId().equals(owners.get(write.key()))) {
        won.put(write.key(), write.ttl());
      }
    });
    pins.repoint(won, decision.deploymentId(), winner, context).onFailure(failure ->
        LOG.log(Level.WARNING, "could not re-point pins after a lost claim race: " + failure.getMessage()));
  }

  private Route route(AffinityDecision decision, String scope, List<Deployment> eligible,
                      List<Deployment> candidates, Buffer body, GatewayRequest request) {
    Deployment chosen = inScope(scope, eligible);
    if (chosen == null) {
      chosen = inScope(scope, candidates);
    }
    if (chosen == null) {
      throw new IllegalStateException("decision chose a cache scope outside the alias: " + scope);
    }
    String chosenId = chosen.id();
    // a claim that lost the race follows the pin another request made first
    RouteKind kind = scope.equals(decision.deploymentId()) ? decision.kind() : RouteKind.PINNED;
    if (kind == RouteKind.PINNED) {
      LOG.fine(() -> "Found cached model_id: " + chosenId + " (request=" + request.requestId() + ")");
    } else if (kind == RouteKind.CLAIMED || kind == RouteKind.REPINNED) {
      LOG.fine(() -> "Adding model_id to cache: " + chosenId + " (request=" + request.requestId() + ")");
    }
    return new Route(chosen, kind.name().toLowerCase(Locale.ROOT), body);
  }
}
