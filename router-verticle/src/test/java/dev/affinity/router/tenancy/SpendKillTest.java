package dev.affinity.router.tenancy;

import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.router.GatewayProcess;
import dev.affinity.router.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 14: {@code kill -9} of a node mid-traffic, three node processes sharing PostgreSQL, clients sending to all
 * three, the victim included. A spend row is put in the cluster (with its synchronous backup) just after its answer
 * ends, so the design promises every row whose answer ended before the last moment: every answer from the surviving
 * nodes, and every answer the victim ended more than a second before it died, must have its row. The rows of answers
 * the victim was ending as it died may be lost (docs/tenancy.md): the test counts them and prints the count.
 */
class SpendKillTest {

  private static final String MASTER = "sk-spend-kill-master";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final int CLIENTS = 6;

  /** One answered request: its id, the node that answered, and when its answer had been read. */
  private record Answer(String requestId, int node, long endedMillis) {
  }

  @Test
  @Timeout(300)
  void aNodeKilledWithSigkillMidTrafficLosesNoRowOfAnAnswerItHadEnded() throws Exception {
    TestDatabase database = TestDatabase.create();
    Vertx vertx = Vertx.vertx();
    UpstreamEmulator emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions()
        .setLatency(new LatencyModel(150, 0, 0, 0)).addAccount("k1", "sk-k1").addAccount("k2", "sk-k2")));
    Path config = Files.createTempFile("spend-kill-", ".yaml");
    Files.writeString(config, "general_settings: {master_key: " + MASTER + ", database_url: \"" + database.url()
        + "\"}\n" + TestGateway.modelList("sonnet", emulator.baseUrl(), List.of("k1", "k2")));
    String cluster = "spend-kill-" + UUID.randomUUID();
    int clusterPort = GatewayProcess.freeClusterPorts(3);
    List<GatewayProcess> nodes = new ArrayList<>();
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    try {
      for (int i = 0; i < 3; i++) {
        nodes.add(GatewayProcess.start(config, cluster, clusterPort, 3));
      }
      for (GatewayProcess node : nodes) {
        node.awaitListening(Duration.ofSeconds(120));
      }
      JsonObject generated = new JsonObject(post(nodes.get(0), "/key/generate", "{}", MASTER).body());
      String key = generated.getString("key");
      String keyId = generated.getString("token_id");
      // the key is cached cluster-wide: every node knows it at once
      for (GatewayProcess node : nodes) {
        assertThat(infer(node, key).statusCode()).isEqualTo(200);
      }

      int victim = 2;
      AtomicBoolean victimAlive = new AtomicBoolean(true);
      AtomicBoolean sending = new AtomicBoolean(true);
      AtomicLong killedAt = new AtomicLong(Long.MAX_VALUE);
      AtomicInteger next = new AtomicInteger();
      Map<String, Answer> answered = new ConcurrentHashMap<>();
      AtomicInteger victimAnswers = new AtomicInteger();
      for (int c = 0; c < CLIENTS; c++) {
        clients.submit(() -> {
          while (sending.get()) {
            int node = next.getAndIncrement() % 3;
            if (node == victim && !victimAlive.get()) {
              continue;
            }
            try {
              HttpResponse<String> response = infer(nodes.get(node), key);
              if (response.statusCode() == 200) {
                String id = response.headers().firstValue("x-affinity-request-id").orElseThrow();
                answered.put(id, new Answer(id, node, System.currentTimeMillis()));
                if (node == victim) {
                  victimAnswers.incrementAndGet();
                }
              }
            } catch (Exception cutOff) {
              // a request in flight on the victim when it died: never answered, owes no row
            }
          }
          return null;
        });
      }
      long deadline = System.currentTimeMillis() + 60_000;
      while (victimAnswers.get() < 30 && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
      assertThat(victimAnswers.get()).as("the victim served its share before it died").isGreaterThanOrEqualTo(30);
      // SIGKILL: Process.destroyForcibly on Linux; nothing of the node runs after it
      nodes.get(victim).process().destroyForcibly();
      killedAt.set(System.currentTimeMillis());
      victimAlive.set(false);
      nodes.get(victim).process().waitFor(30, TimeUnit.SECONDS);
      Thread.sleep(3_000);
      sending.set(false);
      clients.shutdown();
      assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

      // rows move to PostgreSQL once a second; the backups the victim's partitions left are written by the survivors
      Set<String> rows = Set.of();
      long waitUntil = System.currentTimeMillis() + 60_000;
      while (System.currentTimeMillis() < waitUntil) {
        rows = spendRows(database, keyId);
        if (rows.containsAll(answered.keySet())) {
          break;
        }
        Thread.sleep(250);
      }
      List<Answer> lost = new ArrayList<>();
      for (Answer answer : answered.values()) {
        if (!rows.contains(answer.requestId())) {
          lost.add(answer);
        }
      }
      long lostEndingOnVictim = lost.stream()
          .filter(a -> a.node() == victim && a.endedMillis() > killedAt.get() - 1_000).count();
      System.out.println("SpendKillTest: " + answered.size() + " answered (" + victimAnswers.get()
          + " by the killed node), " + lost.size() + " rows missing, " + lostEndingOnVictim
          + " of them of answers the killed node ended in its last second");
      assertThat(lost).as("rows of answers from the survivors, or ended well before the kill")
          .allMatch(a -> a.node() == victim && a.endedMillis() > killedAt.get() - 1_000);
      assertThat(lost.size()).as("at most the answers in flight as it died").isLessThanOrEqualTo(CLIENTS);
    } finally {
      clients.shutdownNow();
      for (GatewayProcess node : nodes) {
        node.close();
      }
      await(emulator.close());
      await(vertx.close());
      database.close();
      Files.deleteIfExists(config);
    }
  }

  private static HttpResponse<String> post(GatewayProcess node, String path, String body, String key)
      throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(node.baseUrl() + path)).header("x-api-key", key)
        .header("content-type", "application/json").timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> infer(GatewayProcess node, String key) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(node.baseUrl() + "/v1/messages")).header("x-api-key", key)
        .header("anthropic-version", "2023-06-01").header("content-type", "application/json")
        .timeout(Duration.ofSeconds(20))
        .POST(HttpRequest.BodyPublishers.ofString(KeyManagementTest.message("sonnet", "hi"))).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static Set<String> spendRows(TestDatabase database, String keyId) throws Exception {
    Set<String> ids = new HashSet<>();
    try (Connection db = DriverManager.getConnection(database.url());
         PreparedStatement select = db.prepareStatement("SELECT request_id FROM affinity_spend WHERE key_id = ?")) {
      select.setString(1, keyId);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          ids.add(rows.getString(1));
        }
      }
    }
    return ids;
  }
}
