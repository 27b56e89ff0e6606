package dev.affinity.router.security;

import dev.affinity.router.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 12 finding 6: a client that stops reading a stream held its admission slot and the upstream connection
 * forever (back-pressure paused the upstream and waited). After {@code client_stall_timeout} both are let go.
 */
class StalledClientTest {

  @Test
  @Timeout(120)
  void aStreamWhoseClientStopsReadingIsEndedAndItsSlotAndUpstreamFreed() throws Exception {
    Vertx vertx = Vertx.vertx();
    AtomicInteger upstreamClosed = new AtomicInteger();
    Buffer event = Buffer.buffer("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
        + "\"delta\":{\"type\":\"text_delta\",\"text\":\"" + "x".repeat(16_000) + "\"}}\n\n");
    // an upstream that streams as fast as it may, forever, respecting back-pressure
    HttpServer upstream = await(vertx.createHttpServer().requestHandler(request -> {
      HttpServerResponse response = request.response().setChunked(true).putHeader("content-type",
          "text/event-stream");
      response.closeHandler(closed -> upstreamClosed.incrementAndGet());
      response.write("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"type\":"
          + "\"message\",\"role\":\"assistant\",\"content\":[],\"usage\":{\"input_tokens\":1,\"output_tokens\":0}}}"
          + "\n\n");
      Runnable[] pump = new Runnable[1];
      pump[0] = () -> {
        while (!response.writeQueueFull() && !response.closed()) {
          response.write(event);
        }
        if (!response.closed()) {
          response.drainHandler(v -> pump[0].run());
        }
      };
      pump[0].run();
    }).listen(0, "127.0.0.1"));
    try (TestGateway gateway = TestGateway.start("""
        server_settings: {client_stall_timeout: 1}
        model_list:
          - model_name: firehose
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-x, api_base: "http://127.0.0.1:%d"}
        """.formatted(upstream.actualPort()));
         Socket client = new Socket()) {
      client.setReceiveBufferSize(4096);
      client.connect(new InetSocketAddress("127.0.0.1", gateway.node().port()));
      String body = "{\"model\":\"firehose\",\"max_tokens\":5,\"stream\":true,\"messages\":[{\"role\":\"user\","
          + "\"content\":\"hi\"}]}";
      client.getOutputStream().write(("POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: "
          + "application/json\r\ncontent-length: " + body.length() + "\r\n\r\n" + body)
          .getBytes(StandardCharsets.US_ASCII));
      // the client never reads
      for (int i = 0; i < 100 && gateway.node().state().inFlight() == 0; i++) {
        Thread.sleep(50);
      }
      assertThat(gateway.node().state().inFlight()).isEqualTo(1);
      for (int i = 0; i < 400 && (gateway.node().state().inFlight() > 0 || upstreamClosed.get() == 0); i++) {
        Thread.sleep(50);
      }
      assertThat(gateway.node().state().inFlight()).as("slot freed").isZero();
      assertThat(upstreamClosed.get()).as("upstream connection let go").isEqualTo(1);
    } finally {
      await(vertx.close());
    }
  }
}
