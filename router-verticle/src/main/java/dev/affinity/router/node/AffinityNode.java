package dev.affinity.router.node;

import com.hazelcast.core.HazelcastInstance;
import dev.affinity.model.config.GatewayConfig;
import dev.affinity.router.ingress.HttpVerticle;
import dev.affinity.router.pins.CooldownMap;
import dev.affinity.router.pins.PinMap;
import dev.affinity.router.routing.RoutingVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.io.IOException;
import java.util.List;

/**
 * One running gateway node: a Hazelcast member, a clustered Vert.x, and its verticles (providers, router, HTTP).
 * The launcher starts one per process; tests start several in one JVM.
 */
public final class AffinityNode {

  /** Provider verticles, deployed by name so the router module does not compile against them. */
  static final List<String> PROVIDER_VERTICLES = List.of("dev.affinity.provider.anthropic.AnthropicVerticle",
      "dev.affinity.provider.openai.OpenAiVerticle", "dev.affinity.provider.bedrock.BedrockVerticle",
      "dev.affinity.provider.vertex.VertexVerticle", "dev.affinity.provider.gemini.GeminiVerticle");

  private final Vertx vertx;
  private final HazelcastClusterManager clusterManager;
  private final NodeState state;
  private final int port;

  private AffinityNode(Vertx vertx, HazelcastClusterManager clusterManager, NodeState state, int port) {
    this.vertx = vertx;
    this.clusterManager = clusterManager;
    this.state = state;
    this.port = port;
  }

  /** Joins the cluster, deploys every verticle and starts listening; ready once the returned future succeeds. */
  public static Future<AffinityNode> start(GatewayConfig config, ClusterSettings cluster, String host, int port) {
    HazelcastClusterManager clusterManager;
    try {
      clusterManager = new HazelcastClusterManager(cluster.hazelcastConfig());
    } catch (IOException | RuntimeException badClusterConfig) {
      return Future.failedFuture(new IllegalArgumentException("cluster configuration: "
          + badClusterConfig.getMessage(), badClusterConfig));
    }
    NodeState state = new NodeState();
    VertxOptions options = new VertxOptions()
        .setEventBusOptions(new EventBusOptions().setHost(cluster.eventBusHost()).setPort(0));
    return Vertx.builder().with(options).withClusterManager(clusterManager).buildClustered()
        .compose(vertx -> deploy(vertx, config, clusterManager, state, host, port)
            .map(v -> {
              state.clusterSize(() -> clusterManager.getNodes().size());
              state.ready(true);
              return new AffinityNode(vertx, clusterManager, state, port);
            })
            .recover(failure -> vertx.close().transform(closed -> Future.failedFuture(failure))));
  }

  private static Future<Void> deploy(Vertx vertx, GatewayConfig config, HazelcastClusterManager cluster,
                                     NodeState state, String host, int port) {
    HazelcastInstance hazelcast = cluster.getHazelcastInstance();
    Future<Void> providers = Future.succeededFuture();
    for (String provider : PROVIDER_VERTICLES) {
      providers = providers.compose(v -> vertx.deployVerticle(provider).mapEmpty());
    }
    int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
    return providers
        .compose(v -> vertx.deployVerticle(new RoutingVerticle(config, new PinMap(hazelcast),
            new CooldownMap(hazelcast), () -> cluster.getNodes().size())))
        .compose(v -> vertx.deployVerticle(() -> new HttpVerticle(config, state, host, port),
            new DeploymentOptions().setInstances(instances)))
        .mapEmpty();
  }

  public Vertx vertx() {
    return vertx;
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

  /**
   * Simulates a crash: the Hazelcast member vanishes without handing its partitions over, as with {@code kill -9}.
   * The rest of the cluster keeps every pin through the backups. For failure tests.
   */
  public void crash() {
    state.ready(false);
    clusterManager.getHazelcastInstance().getLifecycleService().terminate();
    vertx.close();
  }

  /** Stops serving and leaves the cluster cleanly. */
  public Future<Void> close() {
    state.ready(false);
    return vertx.close();
  }
}
