package dev.affinity.router.node;

import com.hazelcast.core.HazelcastInstance;
import dev.affinity.model.config.GatewayConfig;
import dev.affinity.model.provider.Providers;
import dev.affinity.model.provider.UpstreamCalls;
import dev.affinity.router.ingress.ClientConnections;
import dev.affinity.router.ingress.EventBusVerticle;
import dev.affinity.router.ingress.HttpVerticle;
import dev.affinity.router.observe.GatewayMetrics;
import dev.affinity.router.observe.MetricsVerticle;
import dev.affinity.router.pins.CooldownMap;
import dev.affinity.router.pins.LoadMap;
import dev.affinity.router.pins.OwedUsageMap;
import dev.affinity.router.pins.PinMap;
import dev.affinity.router.routing.NodeRouting;
import dev.affinity.router.routing.RoutingVerticle;
import dev.affinity.router.routing.Tenants;
import dev.affinity.router.tenancy.JdbcTenantStore;
import dev.affinity.router.tenancy.Tenancy;
import dev.affinity.router.tenancy.TenantStore;
import dev.affinity.model.config.Secret;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * One running gateway node: a Hazelcast member, a clustered Vert.x, and its verticles (providers, router, HTTP).
 * The launcher starts one per process; tests start several in one JVM.
 */
public final class AffinityNode {

  /**
   * Without {@code global_max_parallel_requests}, at most this many requests at once, whatever the open-file limit.
   * An idle stream costs about 50 KB of heap (measured once with IdleStreamsTest's 2,000 streams: client, gateway
   * and upstream together), and back-pressure bounds a busy one's write queue to tens of KB more: about 1 GB at
   * worst for 10,000, far more streams than one node's deployments' rate limits usually let through.
   */
  static final int DEFAULT_MAX_IN_FLIGHT = 10_000;
  /** Open files kept for everything but client requests: jars, Hazelcast and event-bus connections, logs. */
  static final int RESERVED_FILES = 512;
  private static final Logger LOG = Logger.getLogger(AffinityNode.class.getName());
  private static final long DRAIN_POLL_MILLIS = 50;

  private final Vertx vertx;
  private final HazelcastClusterManager clusterManager;
  private final NodeState state;
  private final String host;
  private final int port;
  private final Tenancy tenancy;
  private volatile long drainDeadlineNanos;

  private AffinityNode(Vertx vertx, HazelcastClusterManager clusterManager, NodeState state, String host, int port,
                       Tenancy tenancy) {
    this.tenancy = tenancy;
    this.vertx = vertx;
    this.clusterManager = clusterManager;
    this.state = state;
    this.host = host;
    this.port = port;
  }

  /**
   * Joins the cluster, deploys every verticle and starts listening; ready once the returned future succeeds. Keys,
   * teams and spend are kept in memory only, unless {@code general_settings.database_url} is set.
   */
  public static Future<AffinityNode> start(GatewayConfig config, ClusterSettings cluster, String host, int port) {
    return start(config, cluster, host, port, null, null);
  }

  /**
   * Where {@code /metrics} is served besides the API port ({@code --metrics-port}).
   *
   * @param host the address to bind, loopback unless the operator chose another
   * @param port the port, 0 for any free one
   */
  public record MetricsPort(String host, int port) {
  }

  /** As {@link #start(GatewayConfig, ClusterSettings, String, int)}, with {@code /metrics} also on a port of its own. */
  public static Future<AffinityNode> start(GatewayConfig config, ClusterSettings cluster, String host, int port,
                                           MetricsPort metricsPort) {
    return start(config, cluster, host, port, metricsPort, null);
  }

  /**
   * As {@link #start(GatewayConfig, ClusterSettings, String, int, MetricsPort)}, keeping keys, teams and spend in
   * the embedded store under {@code dataDir} when no {@code database_url} is set (null: in memory).
   */
  public static Future<AffinityNode> start(GatewayConfig config, ClusterSettings cluster, String host, int port,
                                           MetricsPort metricsPort, Path dataDir) {
    HazelcastClusterManager clusterManager;
    EventBusOptions eventBus;
    try {
      cluster.requireSafeEventBus();
      // the event bus on loopback, behind a guard on the cluster interface that bounds every frame a peer sends
      eventBus = cluster.nodeEventBusOptions();
      clusterManager = new GuardedClusterManager(cluster.hazelcastConfig(), cluster.eventBusHost(),
          ClusterSettings.maxFrameBytes(config.general().maxRequestBytes()), cluster.eventBusTls());
    } catch (IOException | RuntimeException badClusterConfig) {
      return Future.failedFuture(new IllegalArgumentException("cluster configuration: "
          + badClusterConfig.getMessage(), badClusterConfig));
    }
    Listener listener = Listener.choose(host, config.general().masterKey() != null,
        config.server().publicWithoutKey());
    if (listener.notice() != null) {
      LOG.warning(listener.notice());
    }
    NodeState state = new NodeState(maxInFlight(config.general().maxParallelRequests(), openFileLimit()));
    state.metrics(new GatewayMetrics(config));
    LOG.info(() -> "serving at most " + state.maxInFlight() + " requests at once"
        + (config.general().maxParallelRequests() > 0 ? "" : " (default from the open-file limit)"));
    if (cluster.eventBusExposed()) {
      LOG.warning("the event bus listens on " + cluster.eventBusHost() + " without TLS (--cluster-plaintext): any"
          + " host that reaches it can send this node frames that call upstreams; keep that network to gateway nodes,"
          + " or give every member --cluster-tls-cert, --cluster-tls-key and --cluster-tls-ca (docs/security.md)");
    }
    VertxOptions options = new VertxOptions().setEventBusOptions(eventBus);
    return Vertx.builder().with(options).withClusterManager(clusterManager).buildClustered()
        .compose(vertx -> startTenancy(vertx, config, clusterManager, dataDir)
            .compose(tenancy -> deploy(vertx, config, clusterManager, state, listener.host(), port, tenancy)
                .compose(v -> metricsPort == null ? Future.succeededFuture() : vertx.deployVerticle(
                    new MetricsVerticle(state.metrics(), metricsPort.host(), metricsPort.port(),
                        config.general().masterKey())))
                .map(v -> {
                  state.clusterMembers(clusterManager::getNodes);
                  state.ready(true);
                  return new AffinityNode(vertx, clusterManager, state, listener.host(), port, tenancy);
                })
                .recover(failure -> (tenancy == null ? Future.<Void>succeededFuture() : tenancy.close())
                    .transform(closed -> Future.failedFuture(failure))))
            // the failure is answered now and Vert.x closed after: a future completed by the close would be
            // handed to an event loop the close has already ended, and the caller would wait for it forever
            .recover(failure -> {
              vertx.close();
              return Future.failedFuture(failure);
            }));
  }

  /**
   * Virtual keys exist only beside a master key: PostgreSQL when a database URL is given, else the embedded store
   * (a single node's: members that each keep their own cannot agree, so a node that sees others says so).
   */
  private static Future<Tenancy> startTenancy(Vertx vertx, GatewayConfig config, HazelcastClusterManager cluster,
                                              Path dataDir) {
    if (config.general().masterKey() == null) {
      return Future.succeededFuture(null);
    }
    TenantStore store;
    try {
      Secret url = config.general().databaseUrl();
      store = url != null ? JdbcTenantStore.postgres(url.value())
          : dataDir != null ? JdbcTenantStore.embedded(dataDir)
          : JdbcTenantStore.inMemory("affinity-" + cluster.getNodeId());
    } catch (IllegalArgumentException badUrl) {
      return Future.failedFuture(badUrl);
    }
    if (config.general().databaseUrl() == null && cluster.getNodes().size() > 1) {
      LOG.warning("this node sees " + cluster.getNodes().size() + " cluster members but has no database_url: keys,"
          + " teams and spend are kept by each node apart (" + store.describe() + "); set"
          + " general_settings.database_url (or DATABASE_URL) to share them");
    }
    LOG.info(() -> "virtual keys, teams and spend kept in the " + store.describe());
    return Tenancy.start(vertx, cluster.getHazelcastInstance(), config.general().masterKey(), store,
        config::accessGroups, config.general().liteLlmSyncMillis());
  }

  private static Future<Void> deploy(Vertx vertx, GatewayConfig config, HazelcastClusterManager cluster,
                                     NodeState state, String host, int port, Tenancy tenancy) {
    HazelcastInstance hazelcast = cluster.getHazelcastInstance();
    // an admitted request must never wait for an upstream connection: the pool to one host is as large as the limit
    DeploymentOptions providerOptions = new DeploymentOptions()
        .setConfig(new JsonObject().put("max_connections_per_host", state.maxInFlight())
            .put("max_response_bytes", config.server().maxUpstreamResponseBytes())
            .put("total_timeout_millis", config.server().upstreamTotalTimeout().toMillis()));
    int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
    ClientConnections connections = new ClientConnections(config.server().maxConnectionsPerClient());
    // each provider's verticles of this node, one per loop, made by one supplier: they share what is the node's
    Map<String, Supplier<UpstreamCalls>> providerVerticles = new LinkedHashMap<>();
    Providers.all().forEach(provider -> providerVerticles.put(provider.name(), provider.verticles()));
    // joining the pin map registers a listener on every member and loads the node's view: off the event loop
    return vertx.executeBlocking(() -> PinMap.open(hazelcast))
        .compose(pins -> {
          // read per request and per deployment (rpm/tpm shares): Hazelcast's member set is a snapshot it keeps, where
          // the cluster manager's getNodes() builds a new list of every member's id, a cost that grows with the cluster
          NodeRouting routing = new NodeRouting(config, state, pins, new CooldownMap(hazelcast),
              () -> hazelcast.getCluster().getMembers().size(), tenancy == null ? Tenants.NONE : tenancy)
              .sharingLoad(new LoadMap(hazelcast))
              .owingUsageIn(new OwedUsageMap(hazelcast, id -> config.deployment(id).isPresent()));
          return vertx.deployVerticle(routing).map(routing);
        })
        // one stack per event loop: the provider verticles registered on the class path (the router module compiles
        // against none), the router, then the front ends, which call it as a method, on their own thread
        .compose(routing -> vertx.deployVerticle(() -> {
              Map<String, UpstreamCalls> providers = new LinkedHashMap<>();
              providerVerticles.forEach((name, verticles) -> providers.put(name, verticles.get()));
              RoutingVerticle router = new RoutingVerticle(routing, providers);
              List<Deployable> members = new ArrayList<>(providers.values());
              members.add(router);
              members.add(new HttpVerticle(config, state, connections, host, port, tenancy, router));
              // cluster members call without HTTP only when server_settings.event_bus_api says so, with a key
              if (config.server().eventBusApi()) {
                members.add(new EventBusVerticle(config, state, tenancy, router));
              }
              return new RoutingLoop(members);
            }, new DeploymentOptions(providerOptions).setInstances(instances)))
        .mapEmpty();
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The address the node listens on: the one asked for, or loopback for a node without a key (Listener). */
  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public NodeState state() {
    return state;
  }

  /** Ids of the cluster members this node sees, itself included. */
  public List<String> clusterMembers() {
    return clusterManager.getNodes();
  }

  public String nodeId() {
    return clusterManager.getNodeId();
  }

  /** The node's virtual keys, teams and spend; null without a master key. */
  public Tenancy tenancy() {
    return tenancy;
  }

  /**
   * Simulates a crash: the Hazelcast member vanishes without handing its partitions over, as with {@code kill -9}.
   * The rest of the cluster keeps every pin through the backups. For failure tests.
   */
  public void crash() {
    state.ready(false);
    clusterManager.getHazelcastInstance().getLifecycleService().terminate();
    vertx.close();
  }

  /** Stops serving and leaves the cluster cleanly; the spend rows this node holds are written first. */
  public synchronized Future<Void> close() {
    // once: a drain closes the node, and a test (or the launcher's hook) may close it again after
    if (closing != null) {
      return closing;
    }
    state.ready(false);
    if (tenancy == null) {
      closing = vertx.close();
      return closing;
    }
    // a promise of no context: one bound to a context of this Vert.x could not complete once its loops are closed
    Promise<Void> closed = Promise.promise();
    tenancy.close().onComplete(flushed -> vertx.close().onComplete(closed));
    closing = closed.future();
    return closing;
  }

  private Future<Void> closing;

  /**
   * Stops as a load balancer expects: readiness answers 503 and new requests are refused (529, or 503 for OpenAI
   * clients) at once; requests in flight, streams included, may finish for up to {@code timeout}; then the node
   * leaves the cluster cleanly, its partitions handed over, as {@link #close()}.
   *
   * @return the number of requests still in flight when the timeout cut them off; 0 after a full drain
   */
  public Future<Integer> drain(Duration timeout) {
    state.draining(true);
    drainDeadlineNanos = System.nanoTime() + timeout.toNanos();
    Promise<Integer> drained = Promise.promise();
    // polled: the count lives in several event loops, and a few milliseconds more of waiting cost nothing here.
    // One-shot timers, each setting the next: a periodic timer cancelled from its own first run (initial delay 0)
    // may not have its handle stored yet, and the NullPointerException that follows left the node running.
    pollDrain(drained);
    return drained.future().compose(cut -> close().map(cut));
  }

  private void pollDrain(Promise<Integer> drained) {
    if (state.inFlight() == 0 || System.nanoTime() - drainDeadlineNanos >= 0) {
      drained.tryComplete(state.inFlight());
    } else {
      vertx.setTimer(DRAIN_POLL_MILLIS, timer -> pollDrain(drained));
    }
  }

  /** Ends a drain now, as if its timeout had passed: for an operator who asks twice. */
  public void stopWaiting() {
    drainDeadlineNanos = System.nanoTime();
  }

  /**
   * The node's limit: the configured one, or one that stays within the open-file limit (each request holds its
   * client's socket and one to the upstream), at most {@link #DEFAULT_MAX_IN_FLIGHT}. Past that limit accept()
   * would fail with "too many open files", Hazelcast connections included: refusing with 529 is the better failure.
   *
   * @param configured {@code global_max_parallel_requests}, 0 when absent
   * @param openFiles  the process's open-file limit, or -1 when unknown
   */
  static int maxInFlight(int configured, long openFiles) {
    if (configured > 0) {
      if (openFiles > 0 && configured > (openFiles - RESERVED_FILES) / 2) {
        LOG.warning("general_settings.global_max_parallel_requests is " + configured + " but the open-file limit ("
            + openFiles + ") allows about " + Math.max(0, (openFiles - RESERVED_FILES) / 2)
            + " requests; raise it (ulimit -n) or expect connection failures under load");
      }
      return configured;
    }
    if (openFiles <= 0) {
      return DEFAULT_MAX_IN_FLIGHT;
    }
    return (int) Math.max(1, Math.min(DEFAULT_MAX_IN_FLIGHT, (openFiles - RESERVED_FILES) / 2));
  }

  private static long openFileLimit() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.UnixOperatingSystemMXBean unix ? unix.getMaxFileDescriptorCount() : -1;
  }
}
