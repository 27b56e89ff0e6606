package dev.affinity.router.e2e;

import dev.affinity.router.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that stops reading must stop the upstream too: the gateway may hold socket buffers and a bounded write
 * queue, never the whole answer.
 */
class BackPressureTest {

  private static final int EVENT_BYTES = 8 * 1024;
  private static final int CLIENT_RECEIVE_BUFFER = 64 * 1024;
  /** What the gateway itself may hold of a stalled answer: its write queue and a read or two in flight. */
  private static final long GATEWAY_ALLOWANCE = 8L * 1024 * 1024;
  /**
   * What a stalled answer may fill before the upstream cannot write: the kernel's buffers on both connections, which
   * autotuning grows to the machine's limits on loopback (32 MB of receive buffer on some), and the gateway's part.
   */
  private static final long STALL_BOUND = 2 * kernelLimit("tcp_wmem") + kernelLimit("tcp_rmem") + CLIENT_RECEIVE_BUFFER
      + GATEWAY_ALLOWANCE;
  /** Far more than the bound, so an upstream that was not stopped would show. */
  private static final long TOTAL_BYTES = Math.max(96L * 1024 * 1024, 3 * STALL_BOUND);

  private static Vertx vertx;
  private static HttpServer upstream;
  private static TestGateway gateway;
  private static final AtomicLong produced = new AtomicLong();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    upstream = await(vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      HttpServerResponse response = request.response().setChunked(true)
          .putHeader("content-type", "text/event-stream");
      String payload = "x".repeat(EVENT_BYTES - 64);
      Buffer event = Buffer.buffer("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"t\":\""
          + payload + "\"}\n\n");
      produce(response, event);
    })).listen(0, "127.0.0.1"));
    gateway = TestGateway.start("""
        model_list:
          - model_name: firehose
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-fake, api_base: "http://127.0.0.1:%d"}
        """.formatted(upstream.actualPort()));
  }

  /** Writes events as fast as the connection takes them, honouring the write queue like a real server. */
  private static void produce(HttpServerResponse response, Buffer event) {
    while (produced.get() < TOTAL_BYTES) {
      if (response.writeQueueFull()) {
        response.drainHandler(v -> produce(response, event));
        return;
      }
      response.write(event);
      produced.addAndGet(event.length());
    }
    response.end("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    await(vertx.close());
  }

  @Test
  @Timeout(180)
  void aClientThatStopsReadingStopsTheUpstream() throws Exception {
    String body = "{\"model\":\"firehose\",\"max_tokens\":10,\"stream\":true,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}";
    try (Socket socket = new Socket("127.0.0.1", gateway.node().port())) {
      socket.setReceiveBufferSize(CLIENT_RECEIVE_BUFFER);
      socket.setSoTimeout(60_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /v1/messages HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
          + "Connection: close\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n"
          + body).getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] first = new byte[1024];
      assertThat(in.read(first)).isPositive();

      // the client now reads nothing: wait until the upstream cannot write any more
      long previous = -1;
      for (int i = 0; i < 100 && produced.get() != previous; i++) {
        previous = produced.get();
        Thread.sleep(300);
      }
      long stalledAt = produced.get();
      assertThat(stalledAt).as("bytes the upstream could write while the client was not reading")
          .isLessThan(STALL_BOUND);

      // reading again lets the whole answer through, nothing lost
      long received = 0;
      byte[] buffer = new byte[256 * 1024];
      String tail = "";
      for (int n; (n = in.read(buffer)) > 0; ) {
        received += n;
        String read = new String(buffer, Math.max(0, n - 400), Math.min(n, 400), StandardCharsets.ISO_8859_1);
        tail = (tail + read).substring(Math.max(0, tail.length() + read.length() - 400));
      }
      assertThat(produced.get()).isGreaterThanOrEqualTo(TOTAL_BYTES);
      assertThat(received).isGreaterThanOrEqualTo(produced.get());
      assertThat(received).isGreaterThan(TOTAL_BYTES);
      assertThat(tail).contains("message_stop");
    }
  }

  /** The largest buffer the kernel's TCP autotuning may give a socket, from {@code /proc/sys/net/ipv4/<name>}. */
  private static long kernelLimit(String name) {
    try {
      // not readString: procfs files report a size of 0, which it misreads
      String[] values = Files.readAllLines(Path.of("/proc/sys/net/ipv4", name)).get(0).trim().split("\\s+");
      return Long.parseLong(values[values.length - 1]);
    } catch (IOException | RuntimeException notLinux) {
      return 8L * 1024 * 1024;
    }
  }
}
