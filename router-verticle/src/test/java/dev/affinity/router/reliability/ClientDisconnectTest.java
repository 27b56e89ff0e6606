package dev.affinity.router.reliability;

import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.emulator.UpstreamEmulator;
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
  private static UpstreamEmulator emulator;
  private static TestGateway gateway;
  private static LogCapture logs;

  @BeforeAll
  static void start() throws Exception {
    logs = LogCapture.install();
    vertx = Vertx.vertx();
    // a slow stream: 2,000 output tokens at 50 tokens a second would take 40 seconds
    emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions()
        .setLatency(new LatencyModel(0, 0, 0, 50)).setDefaultOutputTokens(2000).addAccount("slow", "sk-slow")));
    gateway = TestGateway.start("""
        model_list:
          - model_name: slow
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-slow, api_base: "%s"}
        """.formatted(emulator.baseUrl()));
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    await(emulator.close());
    await(vertx.close());
    logs.close();
  }

  @Test
  @Timeout(60)
  void disconnectingMidStreamCancelsTheUpstreamCall() throws Exception {
    String body = "{\"model\":\"slow\",\"max_tokens\":4000,\"stream\":true,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"tell me everything\"}]}";
    long started = System.nanoTime();
    try (Socket socket = new Socket("127.0.0.1", gateway.node().port())) {
      OutputStream out = socket.getOutputStream();
      out.write(("POST /v1/messages HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
          + "anthropic-version: 2023-06-01\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length
          + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[4096];
      String received = "";
      while (!received.contains("content_block_delta")) {
        int n = in.read(buffer);
        assertThat(n).isPositive();
        received += new String(buffer, 0, n, StandardCharsets.UTF_8);
      }
    } // the client is gone, mid-stream
    while (logs.lines().stream().noneMatch(line -> line.contains("error=client_disconnected"))) {
      Thread.sleep(50);
    }
    // the upstream call ended long before the 40 seconds the answer would have taken
    assertThat((System.nanoTime() - started) / 1_000_000_000.0).isLessThan(30);
    assertThat(logs.all()).contains("model=slow").contains("stream=true").contains("error=client_disconnected");
  }
}
