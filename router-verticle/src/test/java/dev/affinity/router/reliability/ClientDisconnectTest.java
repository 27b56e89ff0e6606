package dev.affinity.router.reliability;

import dev.affinity.router.LogCapture;
import dev.affinity.router.TestGateway;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/** A client that goes away mid-stream stops the upstream call at once: nobody pays for an answer nobody reads. */
class ClientDisconnectTest {

  private static Vertx vertx;
  private static HoldingUpstream upstream;
  private static TestGateway gateway;
  private static LogCapture logs;

  @BeforeAll
  static void start() throws Exception {
    logs = LogCapture.install();
    vertx = Vertx.vertx();
    // streams that begin and then wait for as long as the test likes: only a cancel ends them early
    upstream = await(HoldingUpstream.start(vertx));
    gateway = TestGateway.start("""
        model_list:
          - model_name: slow
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-slow, api_base: "%s"}
        """.formatted(upstream.baseUrl()));
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    upstream.release();
    await(upstream.close());
    await(vertx.close());
    logs.close();
  }

  @Test
  @Timeout(60)
  void disconnectingMidStreamCancelsTheUpstreamCall() throws Exception {
    String body = "{\"model\":\"slow\",\"max_tokens\":4000,\"stream\":true,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"tell me everything\"}]}";
    try (Socket socket = new Socket("127.0.0.1", gateway.node().port())) {
      OutputStream out = socket.getOutputStream();
      out.write(("POST /v1/messages HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
          + "anthropic-version: 2023-06-01\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length
          + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[4096];
      String received = "";
      while (!received.contains("content_block_start")) {
        int n = in.read(buffer);
        assertThat(n).isPositive();
        received += new String(buffer, 0, n, StandardCharsets.UTF_8);
      }
    } // the client is gone, mid-stream
    // the upstream stream never ends by itself: only the gateway's cancel closes it
    while (upstream.abandoned() < 1) {
      Thread.sleep(20);
    }
    assertThat(upstream.holding()).isZero();
    while (logs.lines().stream().noneMatch(line -> line.contains("error=client_disconnected"))) {
      Thread.sleep(20);
    }
    assertThat(logs.all()).contains("model=slow").contains("stream=true").contains("error=client_disconnected");
  }
}
