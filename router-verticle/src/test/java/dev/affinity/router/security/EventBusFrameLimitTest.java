package dev.affinity.router.security;

import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.model.EventBusAddress;
import dev.affinity.router.TestGateway;
import dev.affinity.router.node.ClusterSettings;
import dev.affinity.router.node.EventBusTls;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
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
 * Issue 12 finding 1, its last part: a peer that may open a connection to a node's event bus declared a 2 GiB frame
 * and the node buffered whatever followed (Vert.x's event bus has no frame-size bound). The node now answers its
 * announced event-bus port with a frame guard: a frame longer than the largest request (here 1 MiB) plus 1 MiB closes
 * the connection before its bytes are read, and the node keeps serving event-bus calls, big ones included, with and
 * without the cluster's TLS (with it, the attacker is even a member the cluster's CA certified).
 */
class EventBusFrameLimitTest {

  private static final String KEY = "sk-frame-limit";
  private static final String ACCOUNT = "acct-frame";
  /** What the attacker streams after declaring its frame: all of it was taken before the guard. */
  private static final long STREAMED = 32L * 1024 * 1024;
  private static final Buffer CHUNK = Buffer.buffer(new byte[64 * 1024]);
  @TempDir
  static Path dir;
  private static Vertx vertx;
  private static UpstreamEmulator emulator;
  private static TestCertificates certificates;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions().setLatency(LatencyModel.ZERO)
        .addAccount(ACCOUNT, "sk-" + ACCOUNT)));
    certificates = new TestCertificates(dir, "frames");
  }

  @AfterAll
  static void stop() throws Exception {
    await(emulator.close());
    await(vertx.close());
  }

  private static String config() {
    return "general_settings: {master_key: " + KEY + ", max_request_size_mb: 1}\n"
        + "server_settings: {event_bus_api: true}\n" + TestGateway.modelList("m", emulator.baseUrl(), List.of(ACCOUNT));
  }

  private static JsonObject call(int textBytes) {
    return new JsonObject().put("body", new JsonObject().put("model", "m").put("max_tokens", 5)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content",
            "hi " + "x".repeat(textBytes)))));
  }

  private static void served(Vertx member, int textBytes) throws Exception {
    long before = emulator.counters(ACCOUNT).requests();
    JsonObject answer = await(member.eventBus().<JsonObject>request(EventBusAddress.ROUTER, call(textBytes),
        new DeliveryOptions().addHeader("x-api-key", KEY).setSendTimeout(30_000))).body();
    assertThat(answer.getInteger("status")).isEqualTo(200);
    assertThat(emulator.counters(ACCOUNT).requests()).isEqualTo(before + 1);
  }

  @Test
  @Timeout(180)
  void withoutTlsAHugeDeclaredFrameIsCutOffAndTheNodeKeepsServing() throws Exception {
    String name = "frames-plain-" + UUID.randomUUID();
    try (TestGateway gateway = TestGateway.start(config(), name)) {
      long taken = hugeFrame(gateway, new NetClientOptions());
      assertThat(taken).as("bytes the node let the attacker write before it closed the connection")
          .isLessThan(STREAMED / 2);
      Vertx member = TestGateway.clusterMember(name);
      try {
        served(member, 10);
        // a call near the largest body the node takes still fits in one frame
        served(member, 900 * 1024);
        // one past that body but within the frame is answered as over HTTP: 413
        Throwable tooLarge = catchThrowable(() -> await(member.eventBus().request(EventBusAddress.ROUTER,
            call(1_200 * 1024), new DeliveryOptions().addHeader("x-api-key", KEY).setSendTimeout(30_000))));
        assertThat(tooLarge).isInstanceOf(java.util.concurrent.ExecutionException.class)
            .cause().isInstanceOf(ReplyException.class);
        assertThat(((ReplyException) tooLarge.getCause()).failureCode()).isEqualTo(413);
      } finally {
        await(member.close());
      }
    }
  }

  @Test
  @Timeout(180)
  void withTlsEvenACertifiedMemberCannotDeclareAHugeFrame() throws Exception {
    String name = "frames-tls-" + UUID.randomUUID();
    try (TestGateway gateway = TestGateway.start(config(),
        TestGateway.cluster(name).withEventBusTls(certificates.member("node")))) {
      EventBusTls attacker = certificates.member("attacker");
      long taken = hugeFrame(gateway, new NetClientOptions().setSsl(true).setHostnameVerificationAlgorithm("")
          .setKeyCertOptions(new PemKeyCertOptions().setCertPath(attacker.certFile().toString())
              .setKeyPath(attacker.keyFile().toString()))
          .setTrustOptions(new PemTrustOptions().addCertPath(attacker.caFile().toString())));
      assertThat(taken).isLessThan(STREAMED / 2);
      ClusterSettings settings = TestGateway.cluster(name).withEventBusTls(certificates.member("service"));
      Vertx member = await(Vertx.builder().with(new VertxOptions().setEventBusOptions(settings.eventBusOptions()))
          .withClusterManager(new HazelcastClusterManager(settings.hazelcastConfig())).buildClustered());
      try {
        served(member, 10);
      } finally {
        await(member.close());
      }
    }
  }

  /**
   * Connects to the event-bus address the node announces to the cluster, declares a frame of 2 GiB - 1 and streams
   * zeros, as fast as the node takes them, up to {@link #STREAMED}.
   *
   * @return how many bytes reached the connection (writes that succeeded) when the node closed it
   * @throws AssertionError when the node took them all and kept the connection open
   */
  private static long hugeFrame(TestGateway gateway, NetClientOptions options) throws Exception {
    NodeInfo announced = ((VertxInternal) gateway.node().vertx()).clusterManager().getNodeInfo();
    Promise<Long> closed = Promise.promise();
    // queued bounds what is written; written counts what the connection took: once the node has closed it, writes
    // queued in the same loop fail, and counting them would blame the node for bytes it never saw
    long[] queued = {0};
    long[] written = {0};
    vertx.createNetClient(options).connect(announced.port(), announced.host()).onComplete(connected -> {
      if (connected.failed()) {
        closed.fail(connected.cause());
        return;
      }
      NetSocket socket = connected.result();
      socket.closeHandler(v -> closed.tryComplete(written[0]));
      socket.exceptionHandler(failure -> socket.close());
      socket.write(Buffer.buffer().appendInt(Integer.MAX_VALUE));
      pump(socket, queued, written, closed);
    });
    return await(closed.future());
  }

  private static void pump(NetSocket socket, long[] queued, long[] written, Promise<Long> closed) {
    while (!closed.future().isComplete() && queued[0] < STREAMED && !socket.writeQueueFull()) {
      socket.write(CHUNK).onSuccess(v -> written[0] += CHUNK.length());
      queued[0] += CHUNK.length();
    }
    if (closed.future().isComplete()) {
      return;
    }
    if (queued[0] < STREAMED) {
      socket.drainHandler(v -> pump(socket, queued, written, closed));
    } else {
      // every byte went in: give the node a while to close, which it never did before the guard
      vertx.setTimer(10_000, t -> closed.tryFail(new AssertionError("the node took all " + written[0]
          + " bytes of a frame declared 2 GiB long and kept the connection open")));
    }
  }
}
