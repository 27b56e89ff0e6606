package dev.affinity.router.node;

import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.router.GatewayProcess;
import dev.affinity.router.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A cluster on IPv6: two node processes whose cluster interface is {@code ::1} join each other, and a prefix claimed
 * through one is followed through the other. Hazelcast looks at IPv4 addresses only unless told otherwise, so such
 * a node failed to start ("No matching network interface found"). The processes run with Java's default network
 * stack (the tests' own JVM prefers IPv4).
 */
class Ipv6ClusterTest {

  private static final String MASTER = "sk-ipv6-master";
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  @Timeout(180)
  void nodesClusterOverIpv6AndShareTheirPins(@TempDir Path dir) throws Exception {
    // a container without IPv6 has no ::1 (the kernel lists it here); this JVM prefers IPv4, so it cannot ask itself
    Path inet6 = Path.of("/proc/net/if_inet6");
    assumeTrue(Files.isReadable(inet6) && Files.readString(inet6).contains("00000000000000000000000000000001"),
        "this machine has no IPv6 loopback address");
    Vertx vertx = Vertx.vertx();
    UpstreamEmulator emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions()
        .setLatency(LatencyModel.ZERO).addAccount("acct-1", "sk-acct-1").addAccount("acct-2", "sk-acct-2")));
    Path config = dir.resolve("config.yaml");
    Files.writeString(config, "general_settings: {master_key: " + MASTER + "}\n"
        + TestGateway.modelList("sonnet", emulator.baseUrl(), List.of("acct-1", "acct-2")));
    int clusterPort = GatewayProcess.freeClusterPorts(2);
    List<String> flags = List.of("--cluster-interface", "::1",
        "--cluster-members", "[::1]:" + clusterPort + ",[::1]:" + (clusterPort + 1));
    String cluster = "ipv6-" + UUID.randomUUID();
    List<GatewayProcess> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        nodes.add(GatewayProcess.start(config, cluster, clusterPort, 2, flags,
            List.of("-Djava.net.preferIPv4Stack=false")));
      }
      for (GatewayProcess node : nodes) {
        node.awaitListening(Duration.ofSeconds(120));
      }
      for (GatewayProcess node : nodes) {
        awaitClusterMembers(node, 2);
      }
      String prompt = TestGateway.agentRequest("sonnet", 61, "over IPv6?", false);
      HttpResponse<String> first = infer(nodes.get(0), prompt);
      assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
      assertThat(first.headers().firstValue("x-affinity-route")).contains("claimed");
      HttpResponse<String> second = infer(nodes.get(1), prompt);
      assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
      assertThat(second.headers().firstValue("x-affinity-route")).as("the pin, through the other node")
          .contains("pinned");
      assertThat(second.headers().firstValue("x-affinity-deployment"))
          .isEqualTo(first.headers().firstValue("x-affinity-deployment"));
    } finally {
      for (GatewayProcess node : nodes) {
        node.close();
      }
      await(emulator.close());
      await(vertx.close());
    }
  }

  private static HttpResponse<String> infer(GatewayProcess node, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(node.baseUrl() + "/v1/messages"))
        .timeout(Duration.ofSeconds(30)).header("x-api-key", MASTER).header("anthropic-version", "2023-06-01")
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void awaitClusterMembers(GatewayProcess node, int members) throws Exception {
    HttpRequest readiness = HttpRequest.newBuilder(URI.create(node.baseUrl() + "/health/readiness"))
        .timeout(Duration.ofSeconds(10)).GET().build();
    int seen = -1;
    for (int i = 0; i < 600 && seen != members; i++) {
      seen = new JsonObject(HTTP.send(readiness, HttpResponse.BodyHandlers.ofString()).body())
          .getInteger("cluster_members", -1);
      if (seen != members) {
        Thread.sleep(100);
      }
    }
    assertThat(seen).as("cluster members seen by " + node.baseUrl() + "\n" + node.output()).isEqualTo(members);
  }
}
