package dev.affinity.router.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.router.TestGateway;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Per-node limits: past {@code global_max_parallel_requests} requests in flight (streams count until their last
 * byte) a node answers with the API's own overloaded error and serves again as soon as a place is free; a body past
 * {@code max_request_size_mb} is a 413 in the API's shape, however it is framed. Health and admin are never limited.
 */
class NodeLimitsTest {

  private static final String MASTER = "sk-limits-master";
  private static final int BODY_LIMIT = 64 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private static final String MESSAGE = "{\"model\":\"held\",\"max_tokens\":10,%s"
      + "\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
  private static final String CHAT = "{\"model\":\"held\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";

  private static Vertx vertx;
  private static HoldingUpstream upstream;
  private static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    upstream = await(HoldingUpstream.start(vertx));
    gateway = TestGateway.start("""
        general_settings:
          master_key: %s
          global_max_parallel_requests: 2
          max_request_size_mb: 0.0625
        model_list:
          - model_name: held
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-held, api_base: "%s"}
        """.formatted(MASTER, upstream.baseUrl()));
  }

  @AfterEach
  void releaseEverything() throws Exception {
    upstream.release();
    awaitInFlight(0);
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    await(upstream.close());
    await(vertx.close());
  }

  @Test
  @Timeout(60)
  void pastTheLimitTheNodeAnswersOverloadedInEachApisShapeAndServesAgainAfter() throws Exception {
    CompletableFuture<HttpResponse<InputStream>> first = stream();
    CompletableFuture<HttpResponse<InputStream>> second = stream();
    assertThat(first.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(second.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    awaitHolding(2);

    HttpResponse<String> anthropic = post("/v1/messages", MESSAGE.formatted(""));
    assertThat(anthropic.statusCode()).as(anthropic.body()).isEqualTo(529);
    JsonNode overloaded = JSON.readTree(anthropic.body());
    assertThat(overloaded.path("type").asText()).isEqualTo("error");
    assertThat(overloaded.path("error").path("type").asText()).isEqualTo("overloaded_error");
    assertThat(overloaded.path("error").path("message").asText()).contains("global_max_parallel_requests");

    HttpResponse<String> openAi = post("/v1/chat/completions", CHAT);
    assertThat(openAi.statusCode()).as(openAi.body()).isEqualTo(503);
    JsonNode openAiError = JSON.readTree(openAi.body()).path("error");
    assertThat(openAiError.path("type").asText()).isEqualTo("server_error");
    assertThat(openAiError.path("code").asText()).isEqualTo("overloaded");
    assertThat(openAiError.has("param")).isTrue();
    assertThat(openAi.headers().firstValue("content-type")).hasValueSatisfying(type -> assertThat(type)
        .contains("json"));

    // a refused request, body unread, leaves its keep-alive connection usable for the next one
    try (Socket socket = new Socket("127.0.0.1", gateway.node().port())) {
      socket.setSoTimeout(30_000);
      String body = MESSAGE.formatted("") + " ".repeat(20_000);
      socket.getOutputStream().write(("POST /v1/messages HTTP/1.1\r\nHost: localhost\r\nx-api-key: " + MASTER
          + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body
          + "GET /health/liveliness HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.UTF_8));
      assertThat(readUntil(socket.getInputStream(), "overloaded_error")).startsWith("HTTP/1.1 529");
      assertThat(readUntil(socket.getInputStream(), "alive")).contains("HTTP/1.1 200");
    }

    // health and admin endpoints are not limited
    HttpResponse<String> readiness = get("/health/readiness");
    assertThat(readiness.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(readiness.body()).path("requests_in_flight").asInt()).isEqualTo(2);
    assertThat(JSON.readTree(readiness.body()).path("max_parallel_requests").asInt()).isEqualTo(2);
    assertThat(get("/health/liveliness").statusCode()).isEqualTo(200);
    assertThat(get("/affinity/stats").statusCode()).isEqualTo(200);

    upstream.release();
    for (CompletableFuture<HttpResponse<InputStream>> stream : java.util.List.of(first, second)) {
      try (InputStream body = stream.get().body()) {
        assertThat(new String(body.readAllBytes(), StandardCharsets.UTF_8)).contains("finally")
            .endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
      }
    }
    awaitInFlight(0);
    assertThat(post("/v1/messages", MESSAGE.formatted("")).statusCode()).isEqualTo(200);
    assertThat(post("/v1/chat/completions", CHAT).statusCode()).isEqualTo(200);
  }

  @Test
  @Timeout(60)
  void aClientThatLeavesMidStreamGivesItsPlaceBack() throws Exception {
    CompletableFuture<HttpResponse<InputStream>> staying = stream();
    assertThat(staying.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    try (Socket leaving = new Socket("127.0.0.1", gateway.node().port())) {
      String body = MESSAGE.formatted("\"stream\":true,");
      leaving.getOutputStream().write(("POST /v1/messages HTTP/1.1\r\nHost: localhost\r\nx-api-key: " + MASTER
          + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
          .getBytes(StandardCharsets.UTF_8));
      readUntil(leaving.getInputStream(), "content_block_start");
      assertThat(post("/v1/messages", MESSAGE.formatted("")).statusCode()).isEqualTo(529);
    }
    awaitInFlight(1);
    assertThat(post("/v1/messages", MESSAGE.formatted("")).statusCode()).isEqualTo(200);
    upstream.release();
    try (InputStream body = staying.get().body()) {
      assertThat(new String(body.readAllBytes(), StandardCharsets.UTF_8)).contains("message_stop");
    }
  }

  @Test
  @Timeout(60)
  void bodiesPastTheLimitAre413InEachApisShapeChunkedOrNot() throws Exception {
    String huge = "{\"model\":\"held\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\""
        + "z".repeat(3 * BODY_LIMIT) + "\"}]}";
    for (String path : new String[] {"/v1/messages", "/v1/chat/completions"}) {
      RawAnswer chunked = sendChunked(path, huge.getBytes(StandardCharsets.UTF_8));
      RawAnswer sized = RawAnswer.of(post(path, huge));
      for (RawAnswer answer : new RawAnswer[] {chunked, sized}) {
        assertThat(answer.status()).as(path + " " + answer.body()).isEqualTo(413);
        JsonNode error = JSON.readTree(answer.body());
        if (path.equals("/v1/messages")) {
          assertThat(error.path("type").asText()).isEqualTo("error");
          assertThat(error.path("error").path("type").asText()).isEqualTo("request_too_large");
        } else {
          assertThat(error.path("error").path("type").asText()).isEqualTo("invalid_request_error");
          assertThat(error.path("error").path("code").asText()).isEqualTo("request_too_large");
        }
      }
    }
    // refused bodies gave their places back, and the node still serves
    awaitInFlight(0);
    assertThat(post("/v1/messages", MESSAGE.formatted("")).statusCode()).isEqualTo(200);
  }

  record RawAnswer(int status, String body) {
    static RawAnswer of(HttpResponse<String> response) {
      return new RawAnswer(response.statusCode(), response.body());
    }
  }

  /** Sends {@code body} in 8 KB chunks, without a length, from another thread: the answer may come first. */
  private static RawAnswer sendChunked(String path, byte[] body) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", gateway.node().port())) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
        try {
          out.write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nx-api-key: " + MASTER
              + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
              .getBytes(StandardCharsets.UTF_8));
          for (int at = 0; at < body.length; at += 8192) {
            int length = Math.min(8192, body.length - at);
            out.write((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.write(body, at, length);
            out.write("\r\n".getBytes(StandardCharsets.UTF_8));
          }
          out.write("0\r\n\r\n".getBytes(StandardCharsets.UTF_8));
          out.flush();
        } catch (IOException refusedMidway) {
          // the gateway answered and closed before the whole body was sent: that is allowed
        }
      });
      InputStream in = socket.getInputStream();
      String head = readUntil(in, "\r\n\r\n");
      int status = Integer.parseInt(head.substring(9, 12));
      int length = 0;
      for (String line : head.split("\r\n")) {
        if (line.toLowerCase().startsWith("content-length:")) {
          length = Integer.parseInt(line.substring(15).trim());
        }
      }
      String answer = new String(in.readNBytes(length), StandardCharsets.UTF_8);
      writing.get(30, TimeUnit.SECONDS);
      return new RawAnswer(status, answer);
    }
  }

  private static String readUntil(InputStream in, String marker) throws IOException {
    ByteArrayOutputStream read = new ByteArrayOutputStream();
    while (!read.toString(StandardCharsets.ISO_8859_1).contains(marker)) {
      int b = in.read();
      assertThat(b).as("connection closed before " + marker.strip()).isNotNegative();
      read.write(b);
    }
    return read.toString(StandardCharsets.ISO_8859_1);
  }

  private static CompletableFuture<HttpResponse<InputStream>> stream() {
    return HTTP.sendAsync(request("/v1/messages").POST(HttpRequest.BodyPublishers.ofString(
        MESSAGE.formatted("\"stream\":true,"))).build(), HttpResponse.BodyHandlers.ofInputStream());
  }

  private static HttpResponse<String> post(String path, String body) throws Exception {
    return HTTP.send(request(path).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).timeout(Duration.ofSeconds(30))
        .header("x-api-key", MASTER).header("anthropic-version", "2023-06-01")
        .header("content-type", "application/json");
  }

  private static void awaitHolding(int streams) throws InterruptedException {
    for (int i = 0; i < 600 && upstream.holding() < streams; i++) {
      Thread.sleep(50);
    }
    assertThat(upstream.holding()).isEqualTo(streams);
  }

  private static void awaitInFlight(int requests) throws Exception {
    for (int i = 0; i < 600 && gateway.node().state().inFlight() != requests; i++) {
      Thread.sleep(50);
    }
    assertThat(gateway.node().state().inFlight()).isEqualTo(requests);
  }
}
