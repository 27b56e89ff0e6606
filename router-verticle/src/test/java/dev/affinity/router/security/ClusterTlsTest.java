package dev.affinity.router.security;

import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.model.EventBusAddress;
import dev.affinity.router.TestGateway;
import dev.affinity.router.node.ClusterSettings;
import dev.affinity.router.node.EventBusTls;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.eventbus.impl.CodecManager;
import io.vertx.core.eventbus.impl.EventBusImpl;
import io.vertx.core.eventbus.impl.clustered.ClusteredMessage;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Issue 12 finding 1: one raw TCP frame to a node's event-bus port reached {@code affinity.router} and made an upstream
 * call. With {@code --cluster-tls-*} the members' event buses speak mutual TLS: members whose certificates the
 * cluster's CA signed exchange messages; a raw TCP client, a member without a certificate and one with another CA's
 * cannot deliver anything. The node under attack opens {@code affinity.router} to the cluster
 * ({@code event_bus_api}), the case where a frame that got through would be served.
 */
class ClusterTlsTest {

  private static final String KEY = "sk-cluster-tls";
  private static final String ACCOUNT = "acct-tls";
  @TempDir
  static Path dir;
  private static Vertx vertx;
  private static UpstreamEmulator emulator;
  private static TestCertificates cluster;
  private static TestCertificates stranger;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions().setLatency(LatencyModel.ZERO)
        .addAccount(ACCOUNT, "sk-" + ACCOUNT)));
    cluster = new TestCertificates(dir, "ours");
    stranger = new TestCertificates(dir, "theirs");
  }

  @AfterAll
  static void stop() throws Exception {
    await(emulator.close());
    await(vertx.close());
  }

  private static String config() {
    return "general_settings: {master_key: " + KEY + "}\nserver_settings: {event_bus_api: true}\n"
        + TestGateway.modelList("m", emulator.baseUrl(), List.of(ACCOUNT));
  }

  private static JsonObject call() {
    return new JsonObject().put("body", new JsonObject().put("model", "m").put("max_tokens", 5)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi"))));
  }

  /** A clustered Vert.x joining {@code name} (Hazelcast has no TLS in the open-source edition: it joins). */
  private static Vertx member(String name, EventBusTls tls) throws Exception {
    ClusterSettings settings = TestGateway.cluster(name).withEventBusTls(tls);
    return await(Vertx.builder().with(new VertxOptions().setEventBusOptions(settings.eventBusOptions()))
        .withClusterManager(new HazelcastClusterManager(settings.hazelcastConfig())).buildClustered());
  }

  private static long upstreamCalls() {
    return emulator.counters(ACCOUNT).requests();
  }

  /** A request to the router with the gateway key, which must not arrive: no reply within a few seconds. */
  private static void refused(Vertx member) throws Exception {
    long before = upstreamCalls();
    Throwable failure = catchThrowable(() -> await(member.eventBus().request(EventBusAddress.ROUTER, call(),
        new DeliveryOptions().addHeader("x-api-key", KEY).setSendTimeout(4_000))));
    assertThat(failure).as("a request from a member the cluster's CA did not certify must not be served")
        .isNotNull();
    assertThat(upstreamCalls()).isEqualTo(before);
  }

  @Test
  @Timeout(180)
  void membersCertifiedByTheClustersCaTalkAndNoOneElseGetsAFrameIn() throws Exception {
    String name = "bus-tls-" + UUID.randomUUID();
    try (TestGateway gateway = TestGateway.start(config(),
        TestGateway.cluster(name).withEventBusTls(cluster.member("node")))) {
      Vertx certified = member(name, cluster.member("service"));
      Vertx plain = member(name, null);
      Vertx foreign = member(name, stranger.member("intruder"));
      try {
        long before = upstreamCalls();
        JsonObject answer = await(certified.eventBus().<JsonObject>request(EventBusAddress.ROUTER, call(),
            new DeliveryOptions().addHeader("x-api-key", KEY).setSendTimeout(30_000))).body();
        assertThat(answer.getInteger("status")).isEqualTo(200);
        assertThat(upstreamCalls()).isEqualTo(before + 1);

        refused(plain);
        refused(foreign);

        long beforeRaw = upstreamCalls();
        rawFrame(gateway);
        Thread.sleep(2_000);
        assertThat(upstreamCalls()).as("a raw frame without TLS reaches nothing").isEqualTo(beforeRaw);
      } finally {
        await(certified.close());
        await(plain.close());
        await(foreign.close());
      }
    }
  }

  /** Without TLS, the same raw frame is served: the attack this test closes is real. */
  @Test
  @Timeout(180)
  void withoutTlsOneRawFrameMakesAnUpstreamCall() throws Exception {
    String name = "bus-plain-" + UUID.randomUUID();
    try (TestGateway gateway = TestGateway.start(config(), name)) {
      long before = upstreamCalls();
      rawFrame(gateway);
      long deadline = System.currentTimeMillis() + 20_000;
      while (upstreamCalls() == before && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
      assertThat(upstreamCalls()).isEqualTo(before + 1);
    }
  }

  /**
   * Writes one event-bus frame (a message to {@code affinity.router} with the gateway key, encoded as Vert.x does) on a
   * plain TCP connection to the node's event-bus port, as finding 1's attacker did: no Hazelcast join, no member.
   */
  private static void rawFrame(TestGateway gateway) throws Exception {
    NodeInfo target = ((VertxInternal) gateway.node().vertx()).clusterManager().getNodeInfo();
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("x-api-key", KEY);
    // the first argument is the sending node's id, which a member fills in: any string will do
    ClusteredMessage<JsonObject, JsonObject> message = new ClusteredMessage<>(UUID.randomUUID().toString(),
        EventBusAddress.ROUTER, headers, call(), CodecManager.JSON_OBJECT_MESSAGE_CODEC, true,
        (EventBusImpl) vertx.eventBus());
    Buffer frame = message.encodeToWire();
    NetSocket socket = await(vertx.createNetClient().connect(target.port(), target.host()));
    await(socket.write(frame));
  }
}
