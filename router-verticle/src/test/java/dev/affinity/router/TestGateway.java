package dev.affinity.router;

import dev.affinity.model.EventBusStream;
import dev.affinity.model.config.ConfigLoader;
import dev.affinity.model.config.GatewayConfig;
import dev.affinity.router.node.AffinityNode;
import dev.affinity.router.node.ClusterSettings;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** A gateway node started in this JVM for a test, on a free port, in a cluster of its own name. */
public final class TestGateway implements AutoCloseable {

  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  private static final int CLUSTER_PORTS = 4;
  private static final Map<String, ClusterSettings> CLUSTERS = new ConcurrentHashMap<>();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final AffinityNode node;

  private TestGateway(AffinityNode node) {
    this.node = node;
  }

  public static TestGateway start(String yaml) throws Exception {
    return start(yaml, "test-" + UUID.randomUUID());
  }

  /**
   * The loopback cluster {@code name}, on a range of free ports of its own (the same for every node that joins it), not
   * Hazelcast's 5701 and up: other clusters on this machine (other test runs) would take those and split ours.
   */
  public static ClusterSettings cluster(String name) {
    return CLUSTERS.computeIfAbsent(name, n -> {
      try {
        int base = GatewayProcess.freeClusterPorts(CLUSTER_PORTS);
        List<String> members = new ArrayList<>();
        for (int i = 0; i < CLUSTER_PORTS; i++) {
          members.add("127.0.0.1:" + (base + i));
        }
        return new ClusterSettings(null, String.join(",", members), base, "127.0.0.1", n);
      } catch (IOException noPorts) {
        throw new UncheckedIOException(noPorts);
      }
    });
  }

  public static TestGateway start(String yaml, String clusterName) throws Exception {
    return start(yaml, cluster(clusterName));
  }

  public static TestGateway start(String yaml, ClusterSettings cluster) throws Exception {
    return start(yaml, cluster, (AffinityNode.MetricsPort) null);
  }

  /** With {@code /metrics} also served on {@code metricsPort} (null for none). */
  public static TestGateway start(String yaml, ClusterSettings cluster, AffinityNode.MetricsPort metricsPort)
      throws Exception {
    GatewayConfig config = ConfigLoader.parse(yaml, Map.of());
    return new TestGateway(await(AffinityNode.start(config, cluster, "127.0.0.1", freePort(), metricsPort)));
  }

  /**
   * A {@code model_list} with one Anthropic deployment of {@code alias} per emulator account, each with key
   * {@code sk-<account>} and id {@code <account>}.
   */
  public static String modelList(String alias, String baseUrl, List<String> accounts) {
    StringBuilder yaml = new StringBuilder("model_list:\n");
    accounts.forEach(account -> yaml.append("""
          - model_name: %1$s
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-%2$s, api_base: "%3$s"}
            model_info: {id: %2$s}
        """.formatted(alias, account, baseUrl)));
    return yaml.toString();
  }

  /**
   * A Messages request whose marked system prompt (about 3,000 tokens, past every model's minimum cacheable size) is
   * unique to {@code agent}: the same agent's turns share their cacheable prefix.
   */
  public static String agentRequest(String model, long agent, String question, boolean stream) {
    java.util.Random random = new java.util.Random(agent);
    StringBuilder system = new StringBuilder("You are agent " + agent + ". ");
    while (system.length() < 12_000) {
      system.append("rule").append(random.nextInt(100_000)).append(' ');
    }
    return "{\"model\":\"" + model + "\",\"max_tokens\":32,\"stream\":" + stream + ",\"system\":[{\"type\":\"text\","
        + "\"text\":\"" + system + "\",\"cache_control\":{\"type\":\"ephemeral\"}}],"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"" + question + "\"}]}";
  }

  /**
   * A clustered Vert.x instance that joins the loopback cluster {@code clusterName} as a service would, to call the
   * nodes over the event bus (docs/eventbus.md). The caller closes it.
   */
  public static Vertx clusterMember(String clusterName) throws Exception {
    return await(Vertx.builder()
        .with(new VertxOptions().setEventBusOptions(new EventBusOptions().setHost("127.0.0.1").setPort(0)))
        .withClusterManager(new HazelcastClusterManager(cluster(clusterName).hazelcastConfig()))
        .buildClustered());
  }

  /**
   * Listens on {@code address} of {@code member} as docs/eventbus.md asks of a caller: acknowledges every chunk;
   * completes with the chunks' text at the end marker, or fails with the error marker's body.
   */
  public static Future<String> streamReceiver(Vertx member, String address) throws Exception {
    Promise<String> ended = Promise.promise();
    StringBuilder received = new StringBuilder();
    await(member.eventBus().<Buffer>consumer(address, (Message<Buffer> chunk) -> {
      if (chunk.headers().contains(EventBusStream.END)) {
        ended.tryComplete(received.toString());
      } else if (chunk.headers().contains(EventBusStream.ERROR)) {
        ended.tryFail(chunk.body().toString());
      } else {
        received.append(chunk.body().toString());
        chunk.reply(null);
      }
    }).completion());
    return ended.future();
  }

  public static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }

  public static <T> T join(java.util.concurrent.CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(120, TimeUnit.SECONDS);
  }

  /** Polls {@code read} until {@code done} holds (at most 30 s): for what map events bring to a node's view. */
  public static <T> T eventually(java.util.function.Supplier<T> read, java.util.function.Predicate<T> done)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    T value = read.get();
    while (!done.test(value) && System.nanoTime() < deadline) {
      Thread.sleep(10);
      value = read.get();
    }
    return value;
  }

  /**
   * A port free now, for a server a test starts next. Drawn from 10000-19999: below the kernel's ephemeral range
   * (32768 and up), where another node's port-0 listeners and outgoing connections could take it between this probe
   * and the bind (seen once: a node's HTTP bind failing with "Address already in use" in TenancyClusterTest), and
   * apart from the cluster port ranges {@link GatewayProcess#freeClusterPorts} hands out (20000-29999). Never the same
   * port twice in one JVM.
   */
  public static int freePort() throws IOException {
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(10_000, 20_000);
      if (!HANDED_OUT.add(port)) {
        continue;
      }
      try (ServerSocket probe = new ServerSocket(port)) {
        return port;
      } catch (IOException taken) {
        // someone holds it: try another
      }
    }
    throw new IOException("no free port in 10000-19999");
  }

  public AffinityNode node() {
    return node;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + node.port();
  }

  public HttpResponse<String> post(String path, String body, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + path))
        .timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  public HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(30));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return HTTP.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  public HttpResponse<String> delete(String path, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(30));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return HTTP.send(request.DELETE().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Posts {@code fields} to an admin route as {@code masterKey}: the answer, which must be a 200. */
  public JsonObject admin(String path, JsonObject fields, String masterKey) throws Exception {
    HttpResponse<String> response = post(path, fields.encode(), "authorization", "Bearer " + masterKey,
        "content-type", "application/json");
    if (response.statusCode() != 200) {
      throw new IllegalStateException(path + " answered " + response.statusCode() + ": " + response.body());
    }
    return new JsonObject(response.body());
  }

  /** A virtual key's spend in USD, as {@code /key/info} reports it to {@code masterKey}. */
  public double keySpend(String key, String masterKey) throws Exception {
    HttpResponse<String> info = get("/key/info?key=" + key, "authorization", "Bearer " + masterKey);
    if (info.statusCode() != 200) {
      throw new IllegalStateException("/key/info answered " + info.statusCode() + ": " + info.body());
    }
    return new JsonObject(info.body()).getJsonObject("info").getDouble("spend");
  }

  @Override
  public void close() throws Exception {
    await(node.close());
  }
}
