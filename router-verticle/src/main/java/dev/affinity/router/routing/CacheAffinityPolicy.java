package dev.affinity.router.routing;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.model.GatewayError;
import dev.affinity.model.GatewayRequest;
import dev.affinity.model.config.Deployment;
import dev.affinity.router.cache.AffinityDecision;
import dev.affinity.router.cache.Balance;
import dev.affinity.router.cache.CacheTtl;
import dev.affinity.router.cache.HotPrefixSpread;
import dev.affinity.router.cache.LookupPlan;
import dev.affinity.router.cache.PinPlan;
import dev.affinity.router.cache.PinQuota;
import dev.affinity.router.cache.Rendezvous;
import dev.affinity.model.RouteKind;
import dev.affinity.router.pins.PinLifetime;
import dev.affinity.router.pins.PinRefresher;
import dev.affinity.router.pins.PinStore;
import dev.affinity.router.routing.strategy.UnpinnedStrategy;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Prompt-cache affinity: sends a request to the deployment where the longest prefix of its prompt is pinned, and
 * pins new cacheable prefixes at routing time, atomically across the cluster, so concurrent requests agree.
 * The prefix chain and the decision are pure ({@code dev.affinity.router.cache}); this class does the I/O: a read
 * of this node's view of the pins (no round trip), then one write round trip when something new is pinned (refreshes
 * alone are not waited for).
 */
public final class CacheAffinityPolicy implements RoutingPolicy {

  private static final Logger LOG = Logger.getLogger(CacheAffinityPolicy.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();
  /** How often a request waiting for a warm-up looks at the pin again. */
  private static final long WARM_UP_POLL_MILLIS = 20;
  /** How long due refreshes gather before they are written together. */
  private static final long REFRESH_FLUSH_MILLIS = 100;
  /** At most one warning per this interval while pin writes fail. */
  private static final long WRITE_WARNING_INTERVAL_MILLIS = 10_000;

  private final PinStore pins;
  private final PinRefresher refresher;
  private final UnpinnedStrategy strategy;
  private final Eligibility eligibility;
  private final int spread;
  private final Context context;
  private final long warmUpMillis;
  // claim writes that failed since the last warning, and when that was: this policy's event loop's alone
  private long failedWrites;
  private long lastWriteWarning = Long.MIN_VALUE / 2;
  private DeploymentLoad load;
  private Balance.Bounds bounds;
  private PinQuota quota = PinQuota.UNLIMITED;
  private LongSupplier clock = System::currentTimeMillis;

  /**
   * A policy with a refresher of its own.
   *
   * @param warmUp how long a request waits for the first request of its new prefix to be answered; 0 never
   * @param spread how many deployments a hot prefix may use when its own has no rate-limit headroom
   */
  public CacheAffinityPolicy(PinStore pins, UnpinnedStrategy strategy, Eligibility eligibility, Context context,
                             Duration warmUp, int spread) {
    this(pins, refresher(pins, context.owner()), strategy, eligibility, context, warmUp, spread);
  }

  /**
   * A policy that offers due refreshes to {@code refresher}, which the policies of the node's other event loops share,
   * so that a key is refreshed once per node, whichever loops see its hits.
   *
   * @param context the event loop this policy routes on: its answers from the pin store complete there
   */
  public CacheAffinityPolicy(PinStore pins, PinRefresher refresher, UnpinnedStrategy strategy,
                             Eligibility eligibility, Context context, Duration warmUp, int spread) {
    this.pins = pins;
    this.refresher = refresher;
    this.strategy = strategy;
    this.eligibility = eligibility;
    this.spread = spread;
    this.context = context;
    this.warmUpMillis = warmUp.toMillis();
  }

  /** A refresher that gathers the refreshes offered for a short while, then writes them. */
  public static PinRefresher refresher(PinStore pins, Vertx vertx) {
    return new PinRefresher(pins, flush -> vertx.setTimer(REFRESH_FLUSH_MILLIS, timer -> flush.run()));
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

  /**
   * Limits each tenant's live pins to {@code quota} (see {@link PinQuota}); the master key's requests (its tenant,
   * or a scope it names) have none: they are the operator's.
   */
  public CacheAffinityPolicy limitingPins(PinQuota quota) {
    this.quota = quota;
    return this;
  }

  /** Reads the time from {@code clock} (milliseconds since the epoch): warm-up marks, deadlines, refreshes due. */
  public CacheAffinityPolicy timedBy(LongSupplier clock) {
    this.clock = clock;
    return this;
  }

  /** The tag the pins of {@code request}'s tenant carry for its quota; null when no quota applies to it. */
  private String quotaTenant(GatewayRequest request) {
    return quota.limits() && !request.caller().admin() ? PinQuota.tag(request.tenant()) : null;
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
    if (request.operation().countsTokens()) {
      // counting tokens caches nothing upstream: it must neither claim pins nor count as a pinned miss
      return Future.succeededFuture(new Route(strategy.pick(eligibility.withHeadroom(eligible)), RouteKind.UNPINNED));
    }
    Deployment reference = candidates.get(0);
    if (!PromptKeys.hasPromptCache(reference, request.model())) {
      // a provider without a prompt cache: nothing to be near, the strategy alone decides
      return Future.succeededFuture(new Route(strategy.pick(eligibility.withHeadroom(eligible)), RouteKind.UNPINNED));
    }
    PromptKeys keys;
    if (request.prepared() instanceof PromptKeys prepared && prepared.computedFor(reference)) {
      keys = prepared; // computed by the ingress that parsed the body, on its own core
    } else {
      try {
        keys = PromptKeys.of(request, reference,
            request.json() != null ? request.json() : JSON.readTree(request.body().getBytes()));
      } catch (IOException malformed) {
        return Future.failedFuture(GatewayError.invalidRequest("malformed JSON").toReplyException());
      }
    }
    LookupPlan lookup = keys.lookup();
    PinPlan plan = keys.plan();
    Buffer body = keys.body();
    List<Deployment> choices = eligible;
    List<Deployment> withRoom = choices.stream().filter(eligibility::hasHeadroom).toList();
    List<Deployment> open = withRoom.isEmpty() ? choices : withRoom; // none has room: better to try than to refuse
    Buffer sent = body;
    String sessionKey = keys.sessionKey();
    if (lookup.isEmpty() && plan.isEmpty() && sessionKey == null) {
      return Future.succeededFuture(new Route(strategy.pick(open), RouteKind.UNPINNED, sent));
    }
    // pins name cache scopes: deployments that share a provider cache are one for affinity
    Set<String> eligibleScopes = new HashSet<>();
    choices.forEach(deployment -> eligibleScopes.add(deployment.cacheScope()));
    Set<String> openScopes = new HashSet<>();
    withRoom.forEach(deployment -> openScopes.add(deployment.cacheScope()));
    Set<String> saturated = new HashSet<>(eligibleScopes);
    saturated.removeAll(openScopes);
    // pins are read from this node's view: no round trip
    List<String> read = lookup.keys();
    if (sessionKey != null) {
      read = new ArrayList<>(read);
      read.add(sessionKey);
    }
    Map<String, Integer> blocks = new HashMap<>();
    lookup.probes().forEach(probe -> blocks.put(probe.key(), probe.block()));
    plan.pins().forEach(pin -> blocks.put(pin.key(), pin.block()));
    return Future.succeededFuture(pins.read(read)).compose(found -> {
      AffinityDecision.Placement placement = AffinityDecision.Placement.of(eligibleScopes,
              () -> strategy.pick(open).cacheScope())
          .saturated(saturated, (key, home) -> HotPrefixSpread.spillTo(key, home, eligibleScopes, spread,
              openScopes::contains).orElse(home))
          .takeOver((key, stale) -> takeOver(key, stale, openScopes.isEmpty() ? eligibleScopes : openScopes))
          .balance(balance(choices, openScopes))
          .session(sessionKey);
      AffinityDecision placed = AffinityDecision.place(lookup, plan, found.allOwners(), placement);
      String tenant = placed.writes() ? quotaTenant(request) : null;
      // the quota is read from this node's view, as the pins are: no round trip
      AffinityDecision decision = tenant == null || placed.claims().isEmpty() ? placed
          : quota.apply(placed, pins.pinsOf(tenant));
      if (decision != placed) {
        LOG.fine(() -> "request=" + request.requestId() + " over_quota: tenant " + tenant + " holds "
            + quota.max() + " pins or more, " + placed.claims().size() + " claim(s) not written");
      }
      if (decision.kind() == RouteKind.REPINNED || decision.kind() == RouteKind.SPILLED
          || decision.kind() == RouteKind.BALANCED) {
        LOG.info(() -> "request=" + request.requestId() + " " + decision.kind().label()
            + " to " + decision.deploymentId() + ": " + decision.reason().orElse("pinned deployment not eligible"));
      }
      refreshWhenDue(decision, found);
      if (!decision.writes()) {
        Route route = route(decision, decision.deploymentId(), choices, candidates, sent, request)
            .holding(held(decision, decision.deploymentId(), Map.of(), blocks), cached(decision, lookup));
        return afterWarmUp(decision.pinnedKey().orElse(null), found, decision.deploymentId(), route, 0, request,
            choices);
      }
      long warmingSince = warmUpMillis > 0 ? clock.getAsLong() : 0;
      AffinityDecision.Claim deciding = decision.decidingClaim().orElse(null);
      Future<PinStore.Found> decided = deciding == null ? Future.succeededFuture(PinStore.Found.NOTHING)
          : written(pins.write(Map.of(new PinStore.Write(PinStore.Write.Kind.CLAIM, decision.deploymentId(), null,
              PinLifetime.seconds(deciding.ttl()), warmingSince, tenant), Set.of(deciding.key()))), request);
      return decided.compose(first -> {
        String owner = deciding == null ? null : first.owners().get(deciding.key());
        if (owner != null && !owner.equals(decision.deploymentId()) && eligibleScopes.contains(owner)) {
          // another first request won the prefix that decides the burst: follow it as if it had been found pinned,
          // and pin the request's longer prefixes there, so that its next turn finds its place
          AffinityDecision following = decision.following(owner, deciding);
          // the longer prefixes it pins there are cached nowhere until this request is answered: they warm up until
          // then, so that a request that finds them waits for this one instead of writing them too; under a mark after
          // the one it follows, so that the request that won that prefix never waits for these
          Long leaderMark = first.warming().get(deciding.key());
          long followerMark = warmingSince == 0 ? 0
              : Math.max(warmingSince, leaderMark == null ? warmingSince : leaderMark + 1);
          Future<PinStore.Found> claimed = following.claims().isEmpty()
              ? Future.succeededFuture(PinStore.Found.NOTHING)
              : written(pins.applyClaims(following, followerMark, tenant), request);
          return claimed.compose(written -> {
            Route route = route(decision, owner, choices, candidates, sent, request)
                .holding(held(following, owner, written.ownersSeenBy(owner), blocks), 0);
            if (followerMark > 0) {
              route = route.warming(warmingPins(following, written, owner, followerMark), followerMark);
            }
            return afterWarmUp(deciding.key(), mergedOver(found, first), owner, route, followerMark, request,
                choices);
          });
        }
        AffinityDecision rest = deciding == null ? decision : decision.without(deciding);
        CompletionStage<PinStore.Found> claimed = pins.applyClaims(rest, warmingSince, tenant);
        return written(claimed, request).map(others -> both(first, others)).compose(written -> {
          Map<String, String> seen = written.ownersSeenBy(decision.deploymentId());
          String chosen = decision.afterClaim(seen);
          Route route = route(decision, chosen, choices, candidates, sent, request)
              .holding(held(decision, chosen, written.ownersSeenBy(chosen), blocks),
                  chosen.equals(decision.deploymentId()) ? cached(decision, lookup) : 0);
          if (!chosen.equals(decision.deploymentId())) {
            repointWonKeys(decision, seen, chosen);
          } else if (warmingSince > 0) {
            route = route.warming(warmingPins(decision, written, chosen, warmingSince), warmingSince);
          }
          String followed = decision.followedKey(written.ownersSeenBy(chosen), chosen).orElse(null);
          return afterWarmUp(followed, mergedOver(found, written), chosen, route, warmingSince, request, choices);
        });
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
   * Moves the request and its pins after its deployment failed before the first byte: to where {@link #takeOver}
   * puts its shortest held prefix among {@code others} (the same choice on every node), with a compare-and-set of each
   * held pin from the failed scope to the new one, so the session's next turn follows without another write. The
   * pins the request was writing still warm up there, under its mark, until its retry is answered: the requests
   * waiting for them follow them and wait on, instead of each writing the prompt (see {@link #waitForWarmUp}).
   */
  @Override
  public Future<Route> failover(GatewayRequest request, Route failed, List<Deployment> others) {
    List<Deployment> open = eligibility.withHeadroom(eligibility.healthy(others));
    if (failed.held().isEmpty()) {
      return Future.succeededFuture(endingWarmUp(failed, failed.movedTo(strategy.pick(open), RouteKind.RETRIED)));
    }
    String stale = failed.deployment().cacheScope();
    Set<String> scopes = new HashSet<>();
    open.forEach(deployment -> scopes.add(deployment.cacheScope()));
    String target = takeOver(failed.held().get(0).key(), stale, scopes);
    Deployment next = inScope(target, open);
    if (next == null || target.equals(stale)) {
      // every other deployment shares the failed one's cache: the pins stay
      Route retried = failed.movedTo(next != null ? next : strategy.pick(open), RouteKind.RETRIED);
      return Future.succeededFuture(endingWarmUp(failed, retried));
    }
    return moved(failed, next, RouteKind.RETRIED);
  }

  /**
   * {@code route} sent to {@code next}, of another cache scope, with its held pins re-pointed there (compare-and-set
   * from the route's scope); those it was warming up keep warming up there under its mark, and it ends their warm-up
   * when it is answered. Pins it could not move stop warming up where they were.
   */
  private Future<Route> moved(Route route, Deployment next, RouteKind kind) {
    String stale = route.deployment().cacheScope();
    String target = next.cacheScope();
    Map<String, CacheTtl> keys = new HashMap<>();
    route.held().forEach(held -> keys.put(held.key(), held.ttl()));
    return onContext(pins.repoint(keys, stale, target, route.warming().keySet(), route.warmingSince()))
        .map(found -> {
          Map<String, Long> carried = new HashMap<>();
          Map<String, Long> left = new HashMap<>();
          route.warming().forEach((key, ttl) -> {
            boolean there = target.equals(found.owners().get(key))
                && Long.valueOf(route.warmingSince()).equals(found.warming().get(key));
            (there ? carried : left).put(key, ttl);
          });
          answered(route.warming(left, route.warmingSince()));
          return route.movedTo(next, kind).warming(carried, route.warmingSince());
        })
        .otherwise(failure -> {
          LOG.log(Level.WARNING, "could not move pins to another deployment: " + failure.getMessage());
          answered(route);
          return route.movedTo(next, kind);
        });
  }

  /** {@code next}, after the warm-up of the pins {@code failed} was writing is ended, unless {@code next} goes on. */
  private Route endingWarmUp(Route failed, Route next) {
    if (next.warming().isEmpty()) {
      answered(failed);
    }
    return next;
  }

  /** Estimated tokens of the pinned prefix the decision follows: what its deployment holds for the request. */
  private static long cached(AffinityDecision decision, LookupPlan lookup) {
    return decision.pinnedBlock().isPresent() ? lookup.tokensThrough(decision.pinnedBlock().getAsInt()) : 0;
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
      onContext(pins.warmed(route.warming(), route.deployment().cacheScope())).onFailure(failure ->
          LOG.log(Level.WARNING, "could not end a pin's warm-up: " + failure.getMessage()));
    }
  }

  /**
   * Releases the warm-up of the pins the request was writing: nothing was cached, and rather than letting every
   * request waiting for it go and write the prompt, one of them takes the warm-up over ({@link #waitForWarmUp}).
   */
  @Override
  public void notCached(Route route) {
    if (!route.warming().isEmpty()) {
      onContext(pins.release(route.warming(), route.deployment().cacheScope(), route.warmingSince()))
          .onFailure(failure -> LOG.log(Level.WARNING, "could not release a pin's warm-up: " + failure.getMessage()));
    }
  }

  /** Offers the pins this request refreshes to the node's refresher, those whose refresh is due: no write per hit. */
  private void refreshWhenDue(AffinityDecision decision, PinStore.Found found) {
    long now = clock.getAsLong();
    for (AffinityDecision.Refresh refresh : decision.refreshes()) {
      if (PinLifetime.refreshDue(found.expiresAt().getOrDefault(refresh.key(), 0L), now, refresh.ttl())) {
        refresher.offer(refresh.key(), decision.deploymentId(), refresh.ttl());
      }
    }
  }

  /** The answers of two writes to different keys, as one. */
  private static PinStore.Found both(PinStore.Found first, PinStore.Found second) {
    if (first.owners().isEmpty() && first.changed().isEmpty()) {
      return second;
    }
    Map<String, String> owners = new HashMap<>(first.owners());
    Map<String, Long> warming = new HashMap<>(first.warming());
    Map<String, Long> expiresAt = new HashMap<>(first.expiresAt());
    Set<String> changed = new HashSet<>(first.changed());
    Map<String, List<String>> allOwners = new HashMap<>(first.allOwners());
    owners.putAll(second.owners());
    warming.putAll(second.warming());
    expiresAt.putAll(second.expiresAt());
    changed.addAll(second.changed());
    allOwners.putAll(second.allOwners());
    return new PinStore.Found(owners, warming, expiresAt, changed, allOwners);
  }

  /** What the read found, updated by what the write answered. */
  private static PinStore.Found mergedOver(PinStore.Found found, PinStore.Found written) {
    Map<String, String> owners = new HashMap<>(found.owners());
    Map<String, Long> warming = new HashMap<>(found.warming());
    Map<String, Long> expiresAt = new HashMap<>(found.expiresAt());
    written.owners().keySet().forEach(warming::remove);
    owners.putAll(written.owners());
    warming.putAll(written.warming());
    expiresAt.putAll(written.expiresAt());
    return new PinStore.Found(owners, warming, expiresAt, written.changed());
  }

  /** The pins this request won, still warming up under its own mark: it writes their cache entries. */
  private static Map<String, Long> warmingPins(AffinityDecision decision, PinStore.Found written, String chosen,
                                               long warmingSince) {
    Map<String, Long> won = new HashMap<>();
    decision.writtenLongestFirst().forEach(write -> {
      if (written.changed().contains(write.key()) && chosen.equals(written.owners().get(write.key()))
          && Long.valueOf(warmingSince).equals(written.warming().get(write.key()))) {
        won.put(write.key(), PinLifetime.seconds(write.ttl()));
      }
    });
    return won;
  }

  /**
   * Holds a request whose prefix another request is the first to send to {@code scope} until that one is answered
   * (the provider then has the prefix cached, so this one reads it instead of writing it again), for at most the
   * warm-up wait. A warm-up older than the wait is over, whatever its mark says: its request may be gone. When the
   * prefix moved to another deployment meanwhile (its writer failed over there), the request follows it, among
   * {@code choices}.
   */
  private Future<Route> afterWarmUp(String followedKey, PinStore.Found state, String scope, Route route,
                                    long ownMark, GatewayRequest request, List<Deployment> choices) {
    String key = othersWarmUp(followedKey, state, scope, route, ownMark);
    Long since = key == null ? null : state.warming().get(key);
    // a prefix warming up in another cache (a request balanced or spilled away from it) is nothing to wait for
    if (since == null || warmUpMillis == 0 || !scope.equals(state.owners().get(key))) {
      return Future.succeededFuture(route);
    }
    long now = clock.getAsLong();
    long deadline = Math.min(now, since) + warmUpMillis;
    if (now >= deadline) {
      return Future.succeededFuture(route);
    }
    long ttlSeconds = route.held().stream().filter(held -> held.key().equals(key)).findFirst()
        .map(held -> PinLifetime.seconds(held.ttl())).orElse(0L);
    long mark = ownMark > 0 ? ownMark : now;
    return waitForWarmUp(key, scope, deadline, false, ttlSeconds, mark).compose(end -> {
      LOG.fine(() -> "request=" + request.requestId() + " waited " + (clock.getAsLong() - now)
          + " ms for the cache write of its prefix on " + end.scope()
          + (end.taken() ? ", then took its warm-up over: the request writing it failed" : ""));
      Route waited = end.taken() ? route.warming(with(route.warming(), key, ttlSeconds), mark) : route;
      Deployment next = end.scope().equals(scope) ? null : inScope(end.scope(), choices);
      return next == null ? Future.succeededFuture(waited) : moved(waited, next, RouteKind.PINNED);
    });
  }

  private static Map<String, Long> with(Map<String, Long> warming, String key, long ttlSeconds) {
    Map<String, Long> more = new HashMap<>(warming);
    more.put(key, ttlSeconds);
    return more;
  }

  /** How a wait for a warm-up ended: the scope the pin names then, and whether this request took the warm-up over. */
  private record WarmUpEnd(String scope, boolean taken) {
  }

  /**
   * The key whose warm-up, by another request, this one waits for; null when there is none. A request that writes
   * none of its keys itself waits for the key it follows, as always. One that does write some (it won their claims)
   * waits only for a warm-up that started before its own (see {@link #before}): two concurrent first requests can each
   * win some of a prompt's keys (a node's view can show the other's first pins before its others), and each would
   * otherwise write the shared part, or wait for the other. Waiting only for earlier warm-ups keeps the later one
   * waiting for the earlier, never both for each other.
   */
  private static String othersWarmUp(String followedKey, PinStore.Found state, String scope, Route route,
                                     long ownMark) {
    boolean writesSome = !route.warming().isEmpty();
    String ownFirst = writesSome ? Collections.min(route.warming().keySet()) : null;
    if (followedKey != null && !route.warming().containsKey(followedKey)) {
      Long since = state.warming().get(followedKey);
      if (!writesSome || since != null && before(since, followedKey, ownMark, ownFirst)) {
        return followedKey;
      }
    }
    if (!writesSome) {
      return null;
    }
    for (Map.Entry<String, Long> warming : state.warming().entrySet()) {
      if (before(warming.getValue(), warming.getKey(), ownMark, ownFirst)
          && !route.warming().containsKey(warming.getKey())
          && scope.equals(state.owners().get(warming.getKey()))) {
        return warming.getKey();
      }
    }
    return null;
  }

  /**
   * Whether another request's warm-up of {@code key}, marked {@code mark}, started before this request's (marked
   * {@code ownMark}, on keys the least of which is {@code ownFirst}): by mark, and for equal marks (two requests in one
   * millisecond: a node's loops decide at once) by key. Each of two such requests has seen the other's keys, as it
   * tried to claim them too, so the one whose least key is the greater waits; and as no two requests hold one key,
   * neither can both wait for the other, nor a ring of them.
   */
  private static boolean before(long mark, String key, long ownMark, String ownFirst) {
    return mark < ownMark || mark == ownMark && key.compareTo(ownFirst) < 0;
  }

  /**
   * Polls the pin of {@code key} until its warm-up in {@code scope} is over or {@code deadline} passes; answers with
   * the scope the pin names then. A pin that moved while warming up (its writer failed over) is followed: the wait
   * goes on for its warm-up there. A warm-up its writer released (its final answer was an error: nothing cached) is
   * taken over under {@code mark} by the first waiting request to ask, which then writes the prompt; the others wait
   * on for it, once with a new deadline, as long as a first request's.
   *
   * @param ttlSeconds the pin's lifetime as this request holds it; 0 when it holds none (then it never takes over)
   */
  private Future<WarmUpEnd> waitForWarmUp(String key, String scope, long deadline, boolean extended, long ttlSeconds,
                                          long mark) {
    return context.owner().timer(WARM_UP_POLL_MILLIS, TimeUnit.MILLISECONDS)
        .map(tick -> pins.read(List.of(key)))
        .compose(now -> {
          // a key this node's view does not hold yet is not warm: its map event can come later than the claim's
          // answer (the other node's first request), and reading that as "warm" sends the request to write it again
          String owner = now.owners().get(key);
          String at = owner == null ? scope : owner;
          if (owner != null && ttlSeconds > 0 && now.released().contains(key)) {
            return onContext(pins.take(key, ttlSeconds, owner, mark)).compose(taken -> {
              if (taken.changed().contains(key) && Long.valueOf(mark).equals(taken.warming().get(key))) {
                return Future.succeededFuture(new WarmUpEnd(owner, true));
              }
              long next = extended ? deadline : Math.max(deadline, clock.getAsLong() + warmUpMillis);
              return waitForWarmUp(key, at, next, true, ttlSeconds, mark);
            }, failure -> Future.succeededFuture(new WarmUpEnd(at, false)));
          }
          boolean warm = owner != null && !now.warming().containsKey(key);
          return warm || clock.getAsLong() >= deadline ? Future.succeededFuture(new WarmUpEnd(at, false))
              : waitForWarmUp(key, at, deadline, extended, ttlSeconds, mark);
        });
  }

  /**
   * A claim write's answer, completed on this policy's context; when the store fails it (members unreachable, a
   * partition migrating past its timeout), nothing: the request goes where it was decided, unpinned, rather than
   * failing. Affinity is an optimisation; the client's request is not lost to it. The next request claims again.
   */
  private Future<PinStore.Found> written(CompletionStage<PinStore.Found> stage, GatewayRequest request) {
    return onContext(stage).otherwise(failure -> {
      long now = clock.getAsLong();
      failedWrites++;
      // one line per interval, not one per request, while the store is down
      if (now - lastWriteWarning >= WRITE_WARNING_INTERVAL_MILLIS) {
        LOG.warning("could not write pins (" + failure + "); request=" + request.requestId()
            + " and " + (failedWrites - 1) + " other(s) since the last warning routed without them");
        lastWriteWarning = now;
        failedWrites = 0;
      }
      return PinStore.Found.NOTHING;
    });
  }

  /** A pin store's answer, completed on this policy's context. */
  private <T> Future<T> onContext(CompletionStage<T> stage) {
    return Future.fromCompletionStage(stage, context);
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
    onContext(pins.repoint(won, decision.deploymentId(), winner)).onFailure(failure ->
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
    return new Route(chosen, kind, body);
  }
}
