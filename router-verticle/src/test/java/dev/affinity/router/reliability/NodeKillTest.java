package dev.affinity.router.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.emulator.workload.AgentWorkload;
import dev.affinity.emulator.workload.Session;
import dev.affinity.router.GatewayProcess;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code kill -9} of one node of three, each its own process, under a steady load of agent sessions on the other
 * two: no client sees an error, no pin is lost (each has a backup on another member), and every session keeps going
 * to the deployment that holds its cache, and reads it.
 */
class NodeKillTest {

  private static final String MASTER = "sk-kill-master";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  /** Turns every session makes before the kill, and again after it. */
  private static final int TURNS_EACH_SIDE = 4;
  /** An agent's pause between two requests: keeps the load steady and the conversations a sane length. */
  private static final long THINK_MILLIS = 150;

  private static Vertx vertx;
  private static UpstreamEmulator emulator;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions().setLatency(LatencyModel.ZERO)
        .addAccount("acct-1", "sk-acct-1").addAccount("acct-2", "sk-acct-2").addAccount("acct-3", "sk-acct-3")));
  }

  @AfterAll
  static void stop() throws Exception {
    await(emulator.close());
    await(vertx.close());
  }

  /** What one session saw: the deployment its first turn went to, and how many turns it completed. */
  private static final class Agent {
    final Session session;
    final AtomicInteger turns = new AtomicInteger();
    volatile String owner;

    Agent(Session session) {
      this.session = session;
    }
  }

  @Test
  @Timeout(240)
  void killingOneNodeOfThreeLosesNoRequestNoPinAndNoSession(@TempDir Path dir) throws Exception {
    StringBuilder yaml = new StringBuilder("general_settings: {master_key: " + MASTER + "}\nmodel_list:\n");
    for (int i = 1; i <= 3; i++) {
      yaml.append("""
            - model_name: claude-sonnet-4-5
              litellm_params: {model: anthropic/claude-sonnet-4-5-20250929, api_key: sk-acct-%d, api_base: "%s"}
              model_info: {id: acct-%d}
          """.formatted(i, emulator.baseUrl(), i));
    }
    Path config = dir.resolve("config.yaml");
    Files.writeString(config, yaml);
    String cluster = "kill-" + UUID.randomUUID();
    int clusterPort = GatewayProcess.freeClusterPorts(3);
    List<GatewayProcess> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        nodes.add(GatewayProcess.start(config, cluster, clusterPort, 3));
      }
      for (GatewayProcess node : nodes) {
        node.awaitListening(Duration.ofSeconds(120));
      }
      for (GatewayProcess node : nodes) {
        awaitClusterMembers(node, 3);
      }
      GatewayProcess first = nodes.get(0);
      GatewayProcess second = nodes.get(1);
      GatewayProcess victim = nodes.get(2);

      List<Agent> agents = new AgentWorkload(4242, 3, 2).sessions().stream().map(Agent::new).toList();
      ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
      AtomicBoolean killed = new AtomicBoolean();
      AtomicInteger turnsAfterKill = new AtomicInteger();
      AtomicLong slowestAfterKill = new AtomicLong();
      CountDownLatch done = new CountDownLatch(agents.size());
      for (Agent agent : agents) {
        Thread thread = new Thread(() -> {
          try {
            int afterKill = 0;
            while (afterKill < TURNS_EACH_SIDE && problems.isEmpty()) {
              boolean duringOrAfter = killed.get();
              GatewayProcess node = agent.turns.get() % 2 == 0 ? first : second;
              long began = System.nanoTime();
              turn(agent, node, problems);
              if (duringOrAfter) {
                afterKill++;
                turnsAfterKill.incrementAndGet();
                slowestAfterKill.accumulateAndGet(System.nanoTime() - began, Math::max);
              }
              Thread.sleep(THINK_MILLIS);
            }
          } catch (Exception unexpected) {
            problems.add(agent.session.id() + ": " + unexpected);
          } finally {
            done.countDown();
          }
        }, "agent-" + agent.session.id());
        thread.setDaemon(true);
        thread.start();
      }

      for (int i = 0; i < 1200 && agents.stream().anyMatch(a -> a.turns.get() < TURNS_EACH_SIDE)
          && problems.isEmpty(); i++) {
        Thread.sleep(50);
      }
      assertThat(problems).as("before the kill").isEmpty();
      // The sessions share tools and the agent prompt, so they all follow that prefix's pin to one deployment; what
      // the kill tests is the pins, which live on all three members' partitions whichever deployment they name.
      JsonNode pinsBefore = pins(first);

      // mid-load, the third node dies without a word
      victim.process().destroyForcibly(); // SIGKILL
      killed.set(true);
      assertThat(victim.process().waitFor(30, TimeUnit.SECONDS)).isTrue();

      assertThat(done.await(180, TimeUnit.SECONDS)).as("sessions finished").isTrue();
      assertThat(problems).as("client errors or lost affinity around the kill").isEmpty();
      assertThat(turnsAfterKill.get()).isGreaterThanOrEqualTo(agents.size() * TURNS_EACH_SIDE);
      // for the record, not asserted: how long a request waited while Hazelcast noticed the death
      System.out.printf("NodeKillTest: %d turns after the kill, the slowest took %d ms%n", turnsAfterKill.get(),
          TimeUnit.NANOSECONDS.toMillis(slowestAfterKill.get()));

      awaitClusterMembers(first, 2);
      JsonNode pinsAfter = pins(first);
      assertThat(pinsAfter.path("total").asInt()).isGreaterThanOrEqualTo(pinsBefore.path("total").asInt());
      Set<String> keysAfter = new HashSet<>();
      pinsAfter.path("pins").forEach(pin -> keysAfter.add(pin.path("key").asText() + "->"
          + pin.path("deployment").asText()));
      // every pin listed: the admin view shows up to 1,000 (the load kept adding pins while it listed them before)
      assertThat(pinsBefore.path("shown").asInt()).isLessThan(1000);
      assertThat(pinsAfter.path("shown").asInt()).isEqualTo(pinsAfter.path("total").asInt());
      pinsBefore.path("pins").forEach(pin -> assertThat(keysAfter).as("pin survived, same deployment")
          .contains(pin.path("key").asText() + "->" + pin.path("deployment").asText()));
    } finally {
      for (GatewayProcess node : nodes) {
        node.close();
      }
    }
  }

  /** One turn of an agent: the answer must succeed and, after the first turn, come pinned from the session's cache. */
  private static void turn(Agent agent, GatewayProcess node, ConcurrentLinkedQueue<String> problems)
      throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(node.baseUrl()
            + AgentWorkload.REQUEST_PATH)).timeout(Duration.ofSeconds(60))
        .header("x-api-key", MASTER).header("anthropic-version", "2023-06-01")
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(agent.session.request(false))).build(),
        HttpResponse.BodyHandlers.ofString());
    String where = agent.session + " on " + node.baseUrl();
    if (response.statusCode() != 200) {
      problems.add(where + ": " + response.statusCode() + " " + response.body());
      return;
    }
    String deployment = response.headers().firstValue("x-affinity-deployment").orElse("?");
    String route = response.headers().firstValue("x-affinity-route").orElse("?");
    JsonNode answer = JSON.readTree(response.body());
    if (agent.owner == null) {
      agent.owner = deployment;
    } else {
      long cacheRead = answer.path("usage").path("cache_read_input_tokens").asLong();
      if (!deployment.equals(agent.owner) || !route.equals("pinned") || cacheRead <= 0) {
        problems.add(where + ": went to " + deployment + " (" + route + ", " + cacheRead
            + " tokens read from cache), its cache is on " + agent.owner);
      }
    }
    JsonNode content = answer.path("content");
    agent.session.nextTurn(content.isEmpty() ? "ok" : content.get(0).path("text").asText("ok"));
    agent.turns.incrementAndGet();
  }

  private static JsonNode pins(GatewayProcess node) throws Exception {
    HttpResponse<String> pins = HTTP.send(HttpRequest.newBuilder(URI.create(node.baseUrl() + "/affinity/pins"))
        .header("x-api-key", MASTER).timeout(Duration.ofSeconds(60)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(pins.statusCode()).as(pins.body()).isEqualTo(200);
    return JSON.readTree(pins.body());
  }

  private static void awaitClusterMembers(GatewayProcess node, int members) throws Exception {
    HttpRequest readiness = HttpRequest.newBuilder(URI.create(node.baseUrl() + "/health/readiness"))
        .timeout(Duration.ofSeconds(10)).GET().build();
    int seen = -1;
    for (int i = 0; i < 600 && seen != members; i++) {
      seen = JSON.readTree(HTTP.send(readiness, HttpResponse.BodyHandlers.ofString()).body())
          .path("cluster_members").asInt();
      if (seen != members) {
        Thread.sleep(100);
      }
    }
    assertThat(seen).as("cluster members seen by " + node.baseUrl() + "\n" + node.output()).isEqualTo(members);
  }
}
