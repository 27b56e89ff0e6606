package dev.affinity.router.security;

import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.router.TestGateway;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 12 finding 3: what a client can make a node spend before its key is checked. Keyless requests that declare
 * a body and never send it must not take the admission slots (the real client kept getting 529); a body that never
 * comes, a request head that never comes, and one client opening many sockets are all bounded; h2c is opt-in.
 */
class BeforeTheKeyTest {

  private static final String MASTER = "sk-before-the-key";
  private static Vertx vertx;
  private static UpstreamEmulator emulator;
  private static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions().setLatency(LatencyModel.ZERO)
        .addAccount("acct-1", "sk-acct-1")));
    gateway = TestGateway.start("""
        general_settings: {master_key: %s, global_max_parallel_requests: 2}
        server_settings: {request_header_timeout: 1, request_body_timeout: 1, max_connections_per_client: 12}
        """.formatted(MASTER) + TestGateway.modelList("m", emulator.baseUrl(), List.of("acct-1")));
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    await(emulator.close());
    await(vertx.close());
  }

  @Test
  @Timeout(60)
  void keylessRequestsThatNeverSendTheirBodyAreRefusedAtOnceAndTakeNoSlot() throws Exception {
    List<Socket> attackers = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        Socket socket = connect();
        attackers.add(socket);
        send(socket, "POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\n"
            + "content-length: 30000000\r\n\r\n");
        // the body is never sent: the answer must come without it
        assertThat(readHead(socket)).startsWith("HTTP/1.1 401");
      }
      assertThat(gateway.node().state().inFlight()).isZero();
      var answer = gateway.post("/v1/messages", "{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\","
          + "\"content\":\"hi\"}]}", "x-api-key", MASTER, "content-type", "application/json",
          "anthropic-version", "2023-06-01");
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    } finally {
      for (Socket socket : attackers) {
        socket.close();
      }
    }
  }

  @Test
  @Timeout(60)
  void aBodyThatNeverArrivesIsCutOffAndItsSlotFreed() throws Exception {
    try (Socket socket = connect()) {
      send(socket, "POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: " + MASTER + "\r\n"
          + "content-type: application/json\r\ncontent-length: 1000\r\n\r\n{\"model\":");
      String head = readHead(socket);
      assertThat(head).startsWith("HTTP/1.1 408");
      for (int i = 0; i < 100 && gateway.node().state().inFlight() > 0; i++) {
        Thread.sleep(50);
      }
      assertThat(gateway.node().state().inFlight()).isZero();
    }
  }

  @Test
  @Timeout(60)
  void aRequestHeadThatNeverEndsHasItsConnectionClosed() throws Exception {
    try (Socket socket = connect()) {
      send(socket, "POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n");
      // the server closes (read -1) after request_header_timeout; a read timeout means it kept the socket open
      assertThat(socket.getInputStream().read()).isEqualTo(-1);
    }
  }

  @Test
  @Timeout(60)
  void oneClientCannotHoldMoreConnectionsThanItsCap() throws Exception {
    List<Socket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < 12; i++) {
        sockets.add(connect());
      }
      Thread.sleep(200);
      try (Socket extra = connect()) {
        assertThat(extra.getInputStream().read()).as("the 13th connection is closed at once").isEqualTo(-1);
      }
    } finally {
      for (Socket socket : sockets) {
        socket.close();
      }
    }
  }

  @Test
  @Timeout(60)
  void cleartextHttp2IsNotOfferedByDefault() throws Exception {
    try (Socket socket = connect()) {
      send(socket, "GET /health/liveliness HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade, HTTP2-Settings\r\n"
          + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n");
      // answered over HTTP/1.1, not "101 Switching Protocols": no upgrade agreed (the whole head is not searched for
      // "101": a random request id holds it about once in 150 runs)
      String head = readHead(socket);
      assertThat(head).startsWith("HTTP/1.1 200 ");
      assertThat(head.toLowerCase(java.util.Locale.ROOT)).doesNotContain("upgrade:");
    }
  }

  private static Socket connect() throws IOException {
    Socket socket = new Socket("127.0.0.1", gateway.node().port());
    // longer than every server deadline above: a read that times out means the server kept waiting
    socket.setSoTimeout(10_000);
    return socket;
  }

  private static void send(Socket socket, String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
  }

  /** The response's status line and headers; fails on a read timeout (the server never answered). */
  private static String readHead(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    try {
      for (int b; (b = in.read()) != -1; ) {
        head.write(b);
        if (head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
          break;
        }
      }
    } catch (SocketTimeoutException noAnswer) {
      throw new AssertionError("no answer within 10 s; got so far: " + head.toString(StandardCharsets.US_ASCII));
    }
    return head.toString(StandardCharsets.US_ASCII);
  }
}
