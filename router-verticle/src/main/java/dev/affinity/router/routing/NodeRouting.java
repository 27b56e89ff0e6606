package dev.affinity.router.routing;

import dev.affinity.model.EventBusAddress;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.GatewayConfig;
import dev.affinity.router.node.NodeState;
import dev.affinity.router.pins.CooldownMap;
import dev.affinity.router.pins.LoadMap;
import dev.affinity.router.pins.PinRefresher;
import dev.affinity.router.pins.PinStore;
import dev.affinity.router.routing.strategy.UnpinnedStrategy;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.logging.Logger;

/**
 * What the routers of a node's event loops share, and its upkeep. Each event loop has a {@link RoutingVerticle} of
 * its own, so that a request is routed and sent upstream on the thread that read it; they share this node's one
 * {@link DeploymentBook} (in flight, load, health, headroom, ledger), the unpinned strategy's counters, the pins'
 * refresher (a key is refreshed once per node), the request log and the tenants' spend. Deployed once, before the
 * routers: it shares the book's load with the cluster every second, follows the cluster's cooldowns, and answers the
 * admin queries ({@link AdminQueries}).
 */
public final class NodeRouting extends VerticleBase {

  private static final Logger LOG = Logger.getLogger(NodeRouting.class.getName());
  private static final long LOAD_PUBLISH_MILLIS = 1000;

  private final GatewayConfig config;
  private final NodeState node;
  private final PinStore pins;
  private final CooldownMap cooldowns;
  private final Tenants tenants;
  private final DeploymentBook book;
  private final UnpinnedStrategy strategy;
  private final RequestLog requestLog = new RequestLog();
  private final Set<String> mixedAliasWarned = ConcurrentHashMap.newKeySet();
  private LoadMap loadMap;
  private OwedUsage owedUsage = OwedUsage.inMemory();
  private final BackgroundChecks backgroundChecks = new BackgroundChecks();
  private PinRefresher refresher;

  /**
   * @param node      the node's limits and drain state, which event-bus callers are held to as HTTP clients are
   * @param pins      the cluster's pins, or null to route without affinity
   * @param cooldowns the cluster's cooldowns, or null to keep them to this node
   * @param members   how many nodes share the configured rpm/tpm of each deployment
   * @param tenants   which deployments a virtual key may reach, and where its spend is booked
   */
  public NodeRouting(GatewayConfig config, NodeState node, PinStore pins, CooldownMap cooldowns, IntSupplier members,
                     Tenants tenants) {
    this.config = config;
    this.node = node;
    this.pins = pins;
    this.cooldowns = cooldowns;
    this.tenants = tenants;
    this.book = new DeploymentBook(config, members, System::currentTimeMillis);
    this.strategy = UnpinnedStrategy.named(config.router().routingStrategy(), book.inFlight());
  }

  /**
   * Shares this node's load per deployment with the cluster through {@code loadMap} (published every second, read
   * locally), so balance sees every node's traffic; without it, balance sees this node's own. Call before deploying.
   */
  public NodeRouting sharingLoad(LoadMap loadMap) {
    this.loadMap = loadMap;
    return this;
  }

  /**
   * Keeps the calls of background responses, until their usage is known, in {@code owed} (the cluster's, so that
   * whichever node reads a response back books its call); without it, this node's memory. Call before deploying.
   */
  public NodeRouting owingUsageIn(OwedUsage owed) {
    this.owedUsage = owed;
    return this;
  }

  @Override
  public Future<?> start() {
    if (pins != null) {
      refresher = CacheAffinityPolicy.refresher(pins, vertx);
    }
    node.metrics().watch(book.inFlight()::count, id -> book.cooledUntil(id).isPresent(),
        () -> pins == null ? 0 : pins.ownedHere(), node::clusterSize);
    if (pins != null) {
      node.metrics().watchPinTraffic(pins::keysWritten, pins::eventsHeard);
    }
    if (loadMap != null) {
      Set<String> known = new HashSet<>(config.deployments().stream().map(Deployment::id).toList());
      // every second: publish this node's load, take in the others' (both off the event loop)
      vertx.setPeriodic(LOAD_PUBLISH_MILLIS, tick -> vertx.executeBlocking(() -> {
        loadMap.publishBlocking(book.load().own());
        book.load().others(loadMap.others(known));
        return null;
      }, false).onFailure(failure -> LOG.fine(() -> "could not share the load: " + failure.getMessage())));
    }
    Future<Void> followCooldowns = cooldowns == null ? Future.succeededFuture()
        : vertx.executeBlocking(() -> {
          cooldowns.followBlocking(config.deployments().stream().map(Deployment::id).toList(),
              book::cooledElsewhere);
          return null;
        });
    return Future.all(
        followCooldowns,
        vertx.eventBus().<String>localConsumer(EventBusAddress.ADMIN,
            new AdminQueries(vertx, config, pins, book, cacheAffinity())::handle).completion());
  }

  @Override
  public Future<?> stop() {
    requestLog.close();
    return Future.succeededFuture();
  }

  /** Whether requests follow their cached prefixes: prompt caching on and pins to follow. */
  boolean cacheAffinity() {
    return config.router().promptCaching() && pins != null;
  }

  /** Whether this is the first time {@code alias} is seen mixing APIs: it is warned about once per node. */
  boolean firstMixedWarning(String alias) {
    return mixedAliasWarned.add(alias);
  }

  GatewayConfig gatewayConfig() {
    return config;
  }

  NodeState node() {
    return node;
  }

  PinStore pins() {
    return pins;
  }

  CooldownMap cooldowns() {
    return cooldowns;
  }

  /** The node's bound on the background responses its routers read back at once. */
  BackgroundChecks backgroundChecks() {
    return backgroundChecks;
  }

  OwedUsage owedUsage() {
    return owedUsage;
  }

  Tenants tenants() {
    return tenants;
  }

  DeploymentBook book() {
    return book;
  }

  UnpinnedStrategy strategy() {
    return strategy;
  }

  /** The node's refresher of due pins; null before start or without pins. */
  PinRefresher refresher() {
    return refresher;
  }

  RequestLog requestLog() {
    return requestLog;
  }
}
