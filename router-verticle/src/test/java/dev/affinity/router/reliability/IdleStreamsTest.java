package dev.affinity.router.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.router.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node holding thousands of open, idle streams stays responsive: a normal request and the health check are
 * answered while 2,000 streams wait on their upstream, and every stream then ends cleanly. Each stream costs this
 * JVM four sockets (client, gateway in, gateway out, upstream): about 8,000 open files.
 */
class IdleStreamsTest {

  private static final int STREAMS = 2_000;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String STREAM = "{\"model\":\"held\",\"max_tokens\":10,\"stream\":true,"
      + "\"messages\":[{\"role\":\"user\",\"content\":\"wait for it\"}]}";

  private static Vertx upstreamVertx;
  private static Vertx clientVertx;
  private static HoldingUpstream upstream;
  private static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    upstreamVertx = Vertx.vertx();
    clientVertx = Vertx.vertx();
    upstream = await(HoldingUpstream.start(upstreamVertx));
    gateway = TestGateway.start("""
        general_settings: {global_max_parallel_requests: 2500}
        # every stream comes from 127.0.0.1: above the per-client connection cap's default
        server_settings: {max_connections_per_client: 2500}
        model_list:
          - model_name: held
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-held, api_base: "%s"}
        """.formatted(upstream.baseUrl()));
  }

  @AfterAll
  static void stop() throws Exception {
    upstream.release();
    gateway.close();
    await(upstream.close());
    await(clientVertx.close());
    await(upstreamVertx.close());
  }

  @Test
  @Timeout(180)
  void twoThousandIdleStreamsLeaveTheNodeResponsiveAndAllEndCleanly() throws Exception {
    HttpClient client = clientVertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(gateway.node().port()), new PoolOptions().setHttp1MaxSize(STREAMS));
    AtomicInteger begun = new AtomicInteger();
    List<Future<String>> streams = new ArrayList<>();
    for (int i = 0; i < STREAMS; i++) {
      streams.add(client.request(HttpMethod.POST, "/v1/messages")
          .compose(request -> request.putHeader("content-type", "application/json")
              .putHeader("anthropic-version", "2023-06-01").send(STREAM))
          .compose(response -> {
            if (response.statusCode() == 200) {
              begun.incrementAndGet();
            }
            return response.body().map(Buffer::toString);
          }));
    }
    for (int i = 0; i < 2400 && (upstream.holding() < STREAMS || begun.get() < STREAMS); i++) {
      Thread.sleep(50);
    }
    assertThat(begun.get()).as("streams whose answer began").isEqualTo(STREAMS);
    assertThat(upstream.holding()).isEqualTo(STREAMS);
    assertThat(gateway.node().state().inFlight()).isEqualTo(STREAMS);

    // while they all wait, the node answers a normal request and its health check
    HttpResponse<String> normal = gateway.post("/v1/messages", "{\"model\":\"held\",\"max_tokens\":10,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"quick\"}]}", "content-type", "application/json",
        "anthropic-version", "2023-06-01");
    assertThat(normal.statusCode()).as(normal.body()).isEqualTo(200);
    assertThat(normal.body()).contains("at once");
    HttpResponse<String> readiness = gateway.get("/health/readiness");
    assertThat(readiness.statusCode()).isEqualTo(200);
    JsonNode health = JSON.readTree(readiness.body());
    assertThat(health.path("status").asText()).isEqualTo("ready");
    assertThat(health.path("requests_in_flight").asInt()).isEqualTo(STREAMS);

    upstream.release();
    List<String> bodies = await(Future.all(streams)).list();
    assertThat(bodies).hasSize(STREAMS).allSatisfy(body -> assertThat(body).contains("\"text\":\"finally\"")
        .endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"));
    for (int i = 0; i < 600 && gateway.node().state().inFlight() > 0; i++) {
      Thread.sleep(50);
    }
    assertThat(gateway.node().state().inFlight()).isZero();
    await(client.close());
  }
}
