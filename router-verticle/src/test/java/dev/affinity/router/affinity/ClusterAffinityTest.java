package dev.affinity.router.affinity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.emulator.workload.AgentWorkload;
import dev.affinity.emulator.workload.Session;
import dev.affinity.router.TestGateway;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/** Three nodes on loopback agree through the pin map: concurrent first requests, later turns, a crashed node. */
class ClusterAffinityTest {

  private static final String MASTER = "sk-cluster-master";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static Vertx vertx;
  private static UpstreamEmulator emulator;
  private static final List<TestGateway> nodes = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions().setLatency(LatencyModel.ZERO)
        .addAccount("acct-1", "sk-acct-1").addAccount("acct-2", "sk-acct-2").addAccount("acct-3", "sk-acct-3")));
    StringBuilder yaml = new StringBuilder("general_settings: {master_key: " + MASTER + "}\n"
        + "router_settings: {balance_abs_threshold: 1000000}\nmodel_list:\n");
    for (int i = 1; i <= 3; i++) {
      yaml.append("""
            - model_name: claude-sonnet-4-5
              litellm_params: {model: anthropic/claude-sonnet-4-5-20250929, api_key: sk-acct-%d, api_base: "%s"}
              model_info: {id: acct-%d}
          """.formatted(i, emulator.baseUrl(), i));
    }
    String cluster = "affinity-cluster-" + UUID.randomUUID();
    for (int i = 0; i < 3; i++) {
      nodes.add(TestGateway.start(yaml.toString(), cluster));
    }
    assertThat(nodes.get(0).node().clusterMembers()).hasSize(3);
  }

  @AfterAll
  static void stop() throws Exception {
    for (TestGateway node : nodes) {
      try {
        node.close();
      } catch (Exception alreadyCrashed) {
        // the crashed node is already gone
      }
    }
    await(emulator.close());
    await(vertx.close());
  }

  private static CompletableFuture<HttpResponse<String>> send(TestGateway node, byte[] body) {
    return HTTP.sendAsync(HttpRequest.newBuilder(URI.create(node.baseUrl() + "/v1/messages"))
        .header("x-api-key", MASTER).header("anthropic-version", "2023-06-01")
        .header("content-type", "application/json").timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String deployment(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response.headers().firstValue("x-affinity-deployment").orElseThrow();
  }

  private static String text(HttpResponse<String> response) throws Exception {
    JsonNode content = JSON.readTree(response.body()).path("content");
    return content.isEmpty() ? "ok" : content.get(0).path("text").asText("ok");
  }

  /** Pin keys written and pin-map events heard, summed over the nodes, once two readings 300 ms apart agree. */
  private static long[] quietPinTraffic() throws InterruptedException {
    long[] last = pinTraffic();
    for (int reading = 0; reading < 50; reading++) {
      Thread.sleep(300);
      long[] now = pinTraffic();
      if (java.util.Arrays.equals(now, last)) {
        return now;
      }
      last = now;
    }
    return last;
  }

  private static long[] pinTraffic() {
    long[] sum = new long[2];
    for (TestGateway node : nodes) {
      for (String line : node.node().state().metrics().scrape().split("\n")) {
        if (line.startsWith("affinity_pin_writes_total")) {
          sum[0] += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        } else if (line.startsWith("affinity_pin_events_total")) {
          sum[1] += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
    }
    return sum;
  }

  @Test
  void concurrentFirstRequestsAgreeLaterTurnsStickAndPinsSurviveACrash() throws Exception {
    Session session = new AgentWorkload(77, 1, 1).sessions().get(0);
    byte[] first = session.request(false);

    List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      burst.add(send(nodes.get(i % 3), first));
    }
    Set<String> chosen = new HashSet<>();
    Set<String> routes = new HashSet<>();
    HttpResponse<String> last = null;
    for (CompletableFuture<HttpResponse<String>> request : burst) {
      last = request.get();
      chosen.add(deployment(last));
      routes.add(last.headers().firstValue("x-affinity-route").orElseThrow());
    }
    assertThat(chosen).as("30 concurrent first requests over 3 nodes").hasSize(1);
    // "session": a request that found its conversation's session pin (issue 13) before its prefix pins
    assertThat(routes).containsAnyOf("claimed", "pinned").isSubsetOf("claimed", "pinned", "session");
    String owner = chosen.iterator().next();

    // the same request again, 30 times over the three nodes: every one pinned, and the cluster does no pin work for
    // them (no key written, no map event on any member: a hit writes nothing until its pin's refresh is due)
    long[] settled = quietPinTraffic();
    assertThat(settled[0]).as("pin keys the first requests wrote").isPositive();
    assertThat(settled[1]).as("pin-map events their writes sent").isPositive();
    for (int i = 0; i < 30; i++) {
      HttpResponse<String> again = send(nodes.get(i % 3), first).get();
      assertThat(deployment(again)).isEqualTo(owner);
      assertThat(again.headers().firstValue("x-affinity-route").orElseThrow()).isIn("pinned", "session");
    }
    assertThat(quietPinTraffic()).as("pin keys written, pin-map events heard, all nodes").isEqualTo(settled);

    // later turns, each sent to another node, stay where the prefix is cached and read it
    for (int turn = 0; turn < 3; turn++) {
      session.nextTurn(text(last));
      last = send(nodes.get(turn % 3), session.request(false)).get();
      assertThat(deployment(last)).isEqualTo(owner);
      assertThat(last.headers().firstValue("x-affinity-route")).hasValue("pinned");
      assertThat(JSON.readTree(last.body()).path("usage").path("cache_read_input_tokens").asLong()).isPositive();
    }

    // admin view: shortened hashes and deployment ids only
    HttpResponse<String> pins = HTTP.send(HttpRequest.newBuilder(URI.create(nodes.get(1).baseUrl() + "/affinity/pins"))
        .header("x-api-key", MASTER).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(pins.statusCode()).isEqualTo(200);
    JsonNode pinList = JSON.readTree(pins.body());
    int pinsBefore = pinList.path("total").asInt();
    assertThat(pinsBefore).isPositive();
    pinList.path("pins").forEach(pin -> {
      assertThat(pin.path("key").asText()).hasSizeLessThanOrEqualTo(12);
      assertThat(pin.path("deployment").asText()).isEqualTo(owner);
    });
    assertThat(pins.body()).doesNotContain("You are", "sk-acct");

    // one node dies hard; the two left still hold every pin (one backup) and keep the session where it was
    nodes.get(0).node().crash();
    session.nextTurn(text(last));
    last = send(nodes.get(2), session.request(false)).get();
    assertThat(deployment(last)).isEqualTo(owner);
    assertThat(last.headers().firstValue("x-affinity-route")).hasValue("pinned");
    HttpResponse<String> after = HTTP.send(HttpRequest.newBuilder(URI.create(nodes.get(1).baseUrl()
        + "/affinity/pins")).header("x-api-key", MASTER).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(JSON.readTree(after.body()).path("total").asInt()).isGreaterThanOrEqualTo(pinsBefore);
  }
}
