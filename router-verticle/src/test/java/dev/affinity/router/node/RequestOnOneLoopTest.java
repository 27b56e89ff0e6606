package dev.affinity.router.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.router.NodeLoops;
import dev.affinity.router.TestGateway;
import dev.affinity.router.ingress.HttpVerticle;
import dev.affinity.router.routing.RoutingVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each of a node's event loops carries its own stack (providers, router, front ends): a request is routed and sent
 * upstream on the thread that read it, with no hand-off to another loop, while every loop books into the node's one
 * deployment book.
 */
class RequestOnOneLoopTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MASTER = "sk-gateway";
  private static final int REQUESTS = 12;

  private static Vertx upstreamVertx;
  private static HttpServer upstream;

  @BeforeAll
  static void start() throws Exception {
    upstreamVertx = Vertx.vertx();
    // a little slow, so that the requests overlap and the node spreads their connections over its loops
    upstream = await(upstreamVertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body ->
        upstreamVertx.setTimer(30, t -> request.response().putHeader("content-type", "application/json").end("""
            {"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5",
             "content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","stop_sequence":null,
             "usage":{"input_tokens":12,"output_tokens":2,"cache_creation_input_tokens":0,
                      "cache_read_input_tokens":0}}""")))).listen(0, "127.0.0.1"));
  }

  @AfterAll
  static void stop() throws Exception {
    await(upstream.close());
    await(upstreamVertx.close());
  }

  @Test
  @Timeout(120)
  void aRequestIsRoutedAndSentUpstreamOnTheThreadThatReadItAndEveryLoopBooksIntoOneBook() throws Exception {
    try (TestGateway gateway = TestGateway.start("""
        general_settings: {master_key: %s}
        model_list:
          - model_name: sonnet
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-acct, api_base: "http://127.0.0.1:%d"}
            model_info: {id: sonnet-1}
        """.formatted(MASTER, upstream.actualPort()))) {
      List<List<Object>> loops = NodeLoops.of(gateway);
      assertThat(loops).as("one stack per core").hasSize(Math.max(1, Runtime.getRuntime().availableProcessors()));
      for (List<Object> loop : loops) {
        assertThat(loop).as("each loop's stack").hasAtLeastOneElementOfType(RoutingVerticle.class)
            .hasAtLeastOneElementOfType(HttpVerticle.class);
      }
      Map<String, String> readOn = new ConcurrentHashMap<>();
      Map<String, String> sentOn = new ConcurrentHashMap<>();
      NodeLoops.observe(gateway,
          request -> readOn.put(request.requestId(), Thread.currentThread().getName()),
          call -> sentOn.put(call.request().requestId(), Thread.currentThread().getName()));

      // a client each: a connection each, which the node's loops take in turn
      List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
      for (int i = 0; i < REQUESTS; i++) {
        answers.add(HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(
                URI.create(gateway.baseUrl() + "/v1/messages")).timeout(Duration.ofSeconds(30))
            .header("x-api-key", MASTER).header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("""
                {"model":"sonnet","max_tokens":5,"messages":[{"role":"user","content":"hello %d"}]}""".formatted(i)))
            .build(), HttpResponse.BodyHandlers.ofString()));
      }
      for (CompletableFuture<HttpResponse<String>> answer : answers) {
        assertThat(answer.get().statusCode()).isEqualTo(200);
      }

      assertThat(sentOn.keySet()).as("every request reached the provider").hasSize(REQUESTS)
          .isEqualTo(readOn.keySet());
      sentOn.forEach((requestId, thread) -> assertThat(thread).as("request " + requestId + " sent upstream on")
          .isEqualTo(readOn.get(requestId)));
      Set<String> threads = new HashSet<>(readOn.values());
      if (loops.size() > 1) {
        assertThat(threads).as("the requests' connections were spread over the loops").hasSizeGreaterThan(1);
      }
      JsonNode line = TestGateway.eventually(() -> {
        try {
          return JSON.readTree(gateway.get("/affinity/stats", "x-api-key", MASTER).body())
              .path("models").path("sonnet").path("sonnet-1");
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }, booked -> booked.path("requests").asInt() == REQUESTS);
      assertThat(line.path("requests").asInt()).as("booked by every loop into the node's one book").isEqualTo(REQUESTS);
      assertThat(line.path("output_tokens").asInt()).isEqualTo(2 * REQUESTS);
      assertThat(line.path("in_flight").asInt()).isZero();
    }
  }
}
