package dev.affinity.router.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.affinity.emulator.workload.AgentWorkload;
import dev.affinity.router.NodeLoops;
import dev.affinity.router.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.WeakReference;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An open stream keeps none of its request: once the answer has begun to reach the client, no retry can use the
 * client's body, its parsed tree or the body sent upstream, so all three are garbage while the stream stays open
 * (a node holding thousands of idle streams of 50 KB agent requests would otherwise keep every one of them).
 * Watched through weak references taken as the request passes to the router and the call to the provider; the end-of-stream bookkeeping must still come out right.
 */
class OpenStreamMemoryTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String MASTER = "sk-gateway";
  private static final String ALIAS = "held";

  private static Vertx upstreamVertx;
  private static HoldingUpstream upstream;
  private static HttpServer overloaded;

  /** A part of a request that must not outlive the start of its answer. */
  private record Watched(String what, WeakReference<Object> reference) {
    Watched(String what, Object referent) {
      this(what, new WeakReference<>(referent));
    }

    boolean collected() {
      return reference.get() == null;
    }
  }

  @BeforeAll
  static void start() throws Exception {
    upstreamVertx = Vertx.vertx();
    upstream = await(HoldingUpstream.start(upstreamVertx));
    overloaded = await(upstreamVertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body ->
        request.response().setStatusCode(529).putHeader("content-type", "application/json")
            .end("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}")))
        .listen(0, "127.0.0.1"));
  }

  @AfterAll
  static void stop() throws Exception {
    upstream.release();
    await(upstream.close());
    await(overloaded.close());
    await(upstreamVertx.close());
  }

  /** A test that failed while its stream was held must not leave it held for the next one. */
  @AfterEach
  void releaseHeldStreams() {
    upstream.release();
  }

  @Test
  @Timeout(120)
  void anOpenStreamKeepsNoneOfItsRequest() throws Exception {
    try (TestGateway gateway = TestGateway.start(config("""
          - model_name: held
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-held, api_base: "%s"}
            model_info: {id: held-1}
        """.formatted(upstream.baseUrl())))) {
      Queue<Watched> watched = watch(gateway);
      byte[] body = new AgentWorkload(7, 1, 1, ALIAS).sessions().get(0).request(true);
      assertThat(body.length).as("an agent request's size").isGreaterThan(20_000);

      InputStream stream = open(gateway, "/v1/messages", body);
      readUntil(stream, "content_block_start");

      assertCollectedWhileOpen(gateway, watched);
      upstream.release();
      assertThat(readToEnd(stream)).contains("\"text\":\"finally\"").contains("message_stop");
      assertBooked(gateway, "held-1", false);
    }
  }

  @Test
  @Timeout(120)
  void anOpenStreamTranslatedForAnOpenAiClientKeepsNoneOfItsRequest() throws Exception {
    try (TestGateway gateway = TestGateway.start(config("""
          - model_name: held
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-held, api_base: "%s"}
            model_info: {id: held-1}
        """.formatted(upstream.baseUrl())))) {
      Queue<Watched> watched = watch(gateway);
      ObjectNode chat = JSON.createObjectNode().put("model", ALIAS).put("stream", true);
      chat.putArray("messages").add(JSON.createObjectNode().put("role", "system").put("content",
          "You are a careful assistant. ".repeat(2_000))).add(JSON.createObjectNode().put("role", "user")
          .put("content", "wait for it"));

      InputStream stream = open(gateway, "/v1/chat/completions", JSON.writeValueAsBytes(chat));
      readUntil(stream, "data: ");

      assertCollectedWhileOpen(gateway, watched);
      upstream.release();
      assertThat(readToEnd(stream)).contains("finally").contains("data: [DONE]");
      assertBooked(gateway, "held-1", false);
    }
  }

  /** The retry happens before the first byte; once the second deployment's answer flows, nothing keeps the request. */
  @Test
  @Timeout(120)
  void anOpenStreamThatWasRetriedKeepsNoneOfItsRequest() throws Exception {
    try (TestGateway gateway = TestGateway.start("router_settings: {routing_strategy: round-robin, num_retries: 1}\n"
        + config("""
          - model_name: held
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-busy, api_base: "http://127.0.0.1:%d"}
            model_info: {id: busy-1}
          - model_name: held
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-held, api_base: "%s"}
            model_info: {id: held-2}
        """.formatted(overloaded.actualPort(), upstream.baseUrl())))) {
      Queue<Watched> watched = watch(gateway);
      byte[] body = new AgentWorkload(11, 1, 1, ALIAS).sessions().get(0).request(true);

      HttpResponse<InputStream> response = HTTP.send(post(gateway, "/v1/messages", body),
          HttpResponse.BodyHandlers.ofInputStream());
      assertThat(response.headers().firstValue("x-affinity-route")).as("round robin tries busy-1 first")
          .hasValue("retried");
      assertThat(response.headers().firstValue("x-affinity-deployment")).hasValue("held-2");
      InputStream stream = response.body();
      readUntil(stream, "content_block_start");

      assertCollectedWhileOpen(gateway, watched);
      upstream.release();
      assertThat(readToEnd(stream)).contains("\"text\":\"finally\"").contains("message_stop");
      assertBooked(gateway, "held-2", false);
      assertBooked(gateway, "busy-1", true);
    }
  }

  private static String config(String modelList) {
    return "general_settings: {master_key: " + MASTER + "}\nmodel_list:\n" + modelList;
  }

  /**
   * Weak references to every request the node's ingress hands to its router and every call the router hands to a
   * provider, with their bodies and parsed trees, taken as they pass. Both hops are method calls inside the node, so
   * the test puts a recording wrapper in front of each: the router of every HTTP verticle, and the provider verticles
   * the router calls (found through Vert.x's deployments; set by reflection, the node offers no hook for this).
   */
  private static Queue<Watched> watch(TestGateway gateway) throws Exception {
    Queue<Watched> watched = new ConcurrentLinkedQueue<>();
    NodeLoops.observe(gateway, request -> {
      watched.add(new Watched("the request the ingress sent", request));
      watched.add(new Watched("the client's body", request.body()));
      watched.add(new Watched("the parsed body", request.json()));
    }, call -> {
      watched.add(new Watched("the call to " + call.deployment().id(), call));
      watched.add(new Watched("the request of the call to " + call.deployment().id(), call.request()));
      watched.add(new Watched("the body sent to " + call.deployment().id(), call.body()));
      if (call.request().json() != null) {
        watched.add(new Watched("the parsed body of the call to " + call.deployment().id(), call.request().json()));
      }
    });
    return watched;
  }

  /**
   * The stream is open (the upstream holds it, the node counts it in flight) and every watched part of its request
   * has been collected. Collection is asked for a bounded number of times: the last event-loop tasks of the request
   * (the reply hops) may still be running when the client reads its first bytes.
   */
  private static void assertCollectedWhileOpen(TestGateway gateway, Queue<Watched> watched) throws Exception {
    assertThat(watched).as("parts of the request seen on their way").isNotEmpty();
    for (int attempt = 0; attempt < 50 && !watched.stream().allMatch(Watched::collected); attempt++) {
      System.gc();
      Thread.sleep(20);
    }
    assertThat(upstream.holding()).as("streams the upstream holds open").isEqualTo(1);
    assertThat(gateway.node().state().inFlight()).as("requests the node has in flight").isEqualTo(1);
    assertThat(watched.stream().filter(part -> !part.collected()).map(Watched::what).toList())
        .as("parts of the request still reachable while its stream is open").isEmpty();
  }

  /**
   * The usage report of the call to {@code deployment} reached the ledger, under the alias: one request, with the
   * output tokens the upstream's stream reported at its end, or one error.
   */
  private static void assertBooked(TestGateway gateway, String deployment, boolean failed) throws Exception {
    JsonNode line = null;
    for (int attempt = 0; attempt < 200; attempt++) {
      HttpResponse<String> stats = gateway.get("/affinity/stats", "x-api-key", MASTER);
      line = JSON.readTree(stats.body()).path("models").path(ALIAS).path(deployment);
      if (line.path("requests").asInt() > 0) {
        break;
      }
      Thread.sleep(25);
    }
    assertThat(line.path("requests").asInt()).as("requests booked for " + deployment).isEqualTo(1);
    assertThat(line.path("errors").asInt()).as("errors booked for " + deployment).isEqualTo(failed ? 1 : 0);
    if (!failed) {
      assertThat(line.path("output_tokens").asInt()).as("output tokens booked for " + deployment).isEqualTo(2);
    }
  }

  private static HttpRequest post(TestGateway gateway, String path, byte[] body) {
    return HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).timeout(Duration.ofSeconds(60))
        .header("x-api-key", MASTER).header("anthropic-version", "2023-06-01")
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
  }

  private static InputStream open(TestGateway gateway, String path, byte[] body) throws Exception {
    HttpResponse<InputStream> response = HTTP.send(post(gateway, path, body),
        HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  private static void readUntil(InputStream in, String marker) throws IOException {
    ByteArrayOutputStream read = new ByteArrayOutputStream();
    while (!read.toString(StandardCharsets.UTF_8).contains(marker)) {
      int b = in.read();
      assertThat(b).as("stream ended before " + marker).isNotNegative();
      read.write(b);
    }
  }

  private static String readToEnd(InputStream in) throws IOException {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
