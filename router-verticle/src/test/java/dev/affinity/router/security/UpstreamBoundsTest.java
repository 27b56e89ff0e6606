package dev.affinity.router.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.router.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.util.zip.GZIPOutputStream;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 12 finding 4: upstream answers were unbounded once gzip-decoded (a small gzip expanding to hundreds of MiB
 * wedged the node), and only silence was timed: an upstream trickling a byte now and then held a call forever.
 */
class UpstreamBoundsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static Vertx vertx;
  private static HttpServer upstream;
  private static Buffer bomb;

  @BeforeAll
  static void start() throws Exception {
    ByteArrayOutputStream compressed = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(compressed)) {
      gzip.write("{\"pad\":\"".getBytes());
      byte[] zeros = new byte[1 << 20];
      java.util.Arrays.fill(zeros, (byte) 'a');
      for (int i = 0; i < 16; i++) {
        gzip.write(zeros); // 16 MiB once decoded, a few KB on the wire
      }
      gzip.write("\"}".getBytes());
    }
    bomb = Buffer.buffer(compressed.toByteArray());
    vertx = Vertx.vertx();
    upstream = await(vertx.createHttpServer().requestHandler(request -> {
      HttpServerResponse response = request.response();
      if (request.uri().startsWith("/bomb")) {
        response.putHeader("content-type", "application/json").putHeader("content-encoding", "gzip").end(bomb);
      } else {
        // a stream that never ends and is never silent for long: a ping every 200 ms
        response.setChunked(true).putHeader("content-type", "text/event-stream");
        response.write("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\","
            + "\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"usage\":{\"input_tokens\":1,"
            + "\"output_tokens\":0}}}\n\n");
        long ping = vertx.setPeriodic(200, t -> response.write("event: ping\ndata: {\"type\":\"ping\"}\n\n"));
        response.closeHandler(closed -> vertx.cancelTimer(ping));
      }
    }).listen(0, "127.0.0.1"));
  }

  @AfterAll
  static void stop() throws Exception {
    await(vertx.close());
  }

  @Test
  @Timeout(120)
  void aCompressedAnswerThatDecodesPastTheCapIsA502InTheClientsShape() throws Exception {
    try (TestGateway gateway = TestGateway.start("""
        server_settings: {max_upstream_response_mb: 1}
        model_list:
          - model_name: bomb
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-x, api_base: "http://127.0.0.1:%1$d/bomb"}
          - model_name: gpt-bomb
            litellm_params: {model: openai/gpt-4o, api_key: sk-x, api_base: "http://127.0.0.1:%1$d/bomb"}
        """.formatted(upstream.actualPort()))) {
      HttpResponse<String> messages = gateway.post("/v1/messages", "{\"model\":\"bomb\",\"max_tokens\":5,"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "content-type", "application/json");
      assertThat(messages.statusCode()).as(head(messages.body())).isEqualTo(502);
      JsonNode error = JSON.readTree(messages.body()).path("error");
      assertThat(error.path("type").asText()).isEqualTo("api_error");
      assertThat(error.path("message").asText()).contains("max_upstream_response_mb");
      HttpResponse<String> chat = gateway.post("/v1/chat/completions", "{\"model\":\"gpt-bomb\","
          + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "content-type", "application/json");
      assertThat(chat.statusCode()).as(head(chat.body())).isEqualTo(502);
      assertThat(JSON.readTree(chat.body()).path("error").path("message").asText())
          .contains("max_upstream_response_mb");
    }
  }

  @Test
  @Timeout(120)
  void aCallThatNeverEndsIsCutOffAtTheTotalDeadline() throws Exception {
    try (TestGateway gateway = TestGateway.start("""
        server_settings: {upstream_total_timeout: 2}
        model_list:
          - model_name: trickle
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-x, api_base: "http://127.0.0.1:%d"}
        """.formatted(upstream.actualPort()))) {
      // TestGateway.post waits 60 s for the whole answer: without a total deadline the stream never ends
      HttpResponse<String> stream = gateway.post("/v1/messages", "{\"model\":\"trickle\",\"max_tokens\":5,"
          + "\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "content-type",
          "application/json");
      assertThat(stream.body()).contains("event: message_start").contains("event: error")
          .doesNotContain("message_stop");
      for (int i = 0; i < 100 && gateway.node().state().inFlight() > 0; i++) {
        Thread.sleep(50);
      }
      assertThat(gateway.node().state().inFlight()).isZero();
    }
  }

  private static String head(String body) {
    return body.length() > 300 ? body.substring(0, 300) + "..." : body;
  }
}
