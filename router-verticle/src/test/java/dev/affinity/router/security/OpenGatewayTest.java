package dev.affinity.router.security;

import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.model.config.ConfigLoader;
import dev.affinity.router.TestGateway;
import dev.affinity.router.node.AffinityNode;
import dev.affinity.router.node.ClusterSettings;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 12 finding 7: a node without a master key served anyone on 0.0.0.0, silently; its content-type check
 * ({@code contains("json")}) and lack of Host and Origin checks let a web page the operator visits use it.
 */
class OpenGatewayTest {

  private static final String HELLO = "{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\","
      + "\"content\":\"hi\"}]}";
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static Vertx vertx;
  private static UpstreamEmulator emulator;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions().setLatency(LatencyModel.ZERO)
        .addAccount("acct-1", "sk-acct-1")));
  }

  @AfterAll
  static void stop() throws Exception {
    await(emulator.close());
    await(vertx.close());
  }

  @Test
  @Timeout(120)
  void withoutAKeyTheNodeListensOnLoopbackOnlyUnlessToldOtherwise() throws Exception {
    Optional<InetAddress> external = externalAddress();
    assumeTrue(external.isPresent(), "this machine has no non-loopback IPv4 address to try");
    String models = TestGateway.modelList("m", emulator.baseUrl(), List.of("acct-1"));
    AffinityNode closed = start(models, "0.0.0.0");
    try {
      assertThat(reachable(InetAddress.getLoopbackAddress(), closed.port())).isTrue();
      assertThat(reachable(external.get(), closed.port())).as("reachable at " + external.get()).isFalse();
    } finally {
      await(closed.close());
    }
    AffinityNode open = start("server_settings: {allow_public_without_key: true}\n" + models, "0.0.0.0");
    try {
      assertThat(reachable(external.get(), open.port())).isTrue();
    } finally {
      await(open.close());
    }
  }

  @Test
  @Timeout(120)
  void onlyApplicationJsonFromAKnownHostAndNotFromAWebPageIsServed() throws Exception {
    try (TestGateway gateway = TestGateway.start(TestGateway.modelList("m", emulator.baseUrl(),
        List.of("acct-1")))) {
      assertThat(gateway.post("/v1/messages", HELLO, "content-type", "application/json; charset=utf-8")
          .statusCode()).isEqualTo(200);
      // contains "json" but is not JSON's media type: a form or text/plain is what a page may send unasked
      var notJson = gateway.post("/v1/messages", HELLO, "content-type", "text/plain; note=json");
      assertThat(notJson.statusCode()).isEqualTo(400);
      assertThat(notJson.body()).contains("\"type\":\"invalid_request_error\"");
      assertThat(gateway.post("/v1/messages", HELLO, "content-type", "application/jsonp").statusCode())
          .isEqualTo(400);
      var fromPage = gateway.post("/v1/messages", HELLO, "origin", "https://evil.example");
      assertThat(fromPage.statusCode()).isEqualTo(403);
      assertThat(fromPage.body()).contains("\"type\":\"permission_error\"");
      // DNS rebinding: a name that resolves to 127.0.0.1 but is not a loopback name
      try (Socket socket = new Socket("127.0.0.1", gateway.node().port())) {
        socket.getOutputStream().write(("POST /v1/messages HTTP/1.1\r\nHost: rebind.evil.example:"
            + gateway.node().port() + "\r\ncontent-type: application/json\r\ncontent-length: " + HELLO.length()
            + "\r\n\r\n" + HELLO).getBytes());
        socket.setSoTimeout(10_000);
        String head = new String(socket.getInputStream().readNBytes(12));
        assertThat(head).isEqualTo("HTTP/1.1 421");
      }
    }
  }

  /** No master key, no virtual keys: their administration and spend reports say so, in the error shape. */
  @Test
  @Timeout(120)
  void withoutAKeyTheKeyEndpointsAndSpendReportsSaySo() throws Exception {
    try (TestGateway gateway = TestGateway.start(TestGateway.modelList("m", emulator.baseUrl(),
        List.of("acct-1")))) {
      for (String path : List.of("/key/list", "/team/list", "/spend/logs", "/global/spend", "/global/spend/keys",
          "/global/spend/report", "/global/activity?start_date=2026-12-01&end_date=2026-12-02")) {
        var refused = gateway.get(path);
        assertThat(refused.statusCode()).as(path).isEqualTo(403);
        assertThat(refused.body()).as(path).contains("\"type\":\"permission_error\"")
            .contains("general_settings.master_key");
      }
    }
  }

  private static AffinityNode start(String yaml, String host) throws Exception {
    return await(AffinityNode.start(ConfigLoader.parse(yaml, Map.of()),
        TestGateway.cluster("open-" + UUID.randomUUID()), host, TestGateway.freePort()));
  }

  private static boolean reachable(InetAddress address, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(address, port), 3000);
      HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + address.getHostAddress() + ":" + port
          + "/health/liveliness")).GET().build(), HttpResponse.BodyHandlers.ofString());
      return health.statusCode() == 200;
    } catch (IOException | InterruptedException refused) {
      return false;
    }
  }

  private static Optional<InetAddress> externalAddress() throws IOException {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (nic.isUp() && !nic.isLoopback()) {
        for (InetAddress address : Collections.list(nic.getInetAddresses())) {
          if (address instanceof Inet4Address) {
            return Optional.of(address);
          }
        }
      }
    }
    return Optional.empty();
  }
}
