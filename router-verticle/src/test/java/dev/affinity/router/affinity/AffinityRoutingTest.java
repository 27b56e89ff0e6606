package dev.affinity.router.affinity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.emulator.CapturedRequest;
import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.Fault;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.router.LogCapture;
import dev.affinity.router.TestGateway;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Random;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/** One node, three deployments: route kinds, injected markers, re-pinning away from a failing deployment, admin. */
class AffinityRoutingTest {

  private static final String MASTER = "sk-affinity-routing-master";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static Vertx vertx;
  private static UpstreamEmulator emulator;
  private static TestGateway gateway;
  private static LogCapture logs;

  @BeforeAll
  static void start() throws Exception {
    logs = LogCapture.install();
    vertx = Vertx.vertx();
    emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions().setLatency(LatencyModel.ZERO)
        .addAccount("a1", "sk-a1").addAccount("a2", "sk-a2").addAccount("a3", "sk-a3")
        .addAccount("i1", "sk-i1").addAccount("i2", "sk-i2")));
    // a second of waiting valued at a tenth of a cent: a cached 3,000-token prompt is worth waiting 5 s for
    StringBuilder yaml = new StringBuilder("general_settings: {master_key: " + MASTER + "}\n"
        + "router_settings: {retry_wait_cost_per_second: 0.001}\nmodel_list:\n");
    for (int i = 1; i <= 3; i++) {
      yaml.append("""
            - model_name: sonnet
              litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-a%d, api_base: "%s"}
              model_info: {id: a%d}
          """.formatted(i, emulator.baseUrl(), i));
    }
    for (int i = 1; i <= 2; i++) {
      yaml.append("""
            - model_name: injected
              litellm_params:
                model: anthropic/claude-sonnet-4-5
                api_key: sk-i%d
                api_base: "%s"
                cache_control_injection_points:
                  - {location: message, role: system}
              model_info: {id: i%d}
          """.formatted(i, emulator.baseUrl(), i));
    }
    // two deployments on one provider account (one cache scope), one on another account
    yaml.append("""
          - model_name: scoped
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-a1, api_base: "%1$s", cache_scope: acct-a1}
            model_info: {id: a1-key-x}
          - model_name: scoped
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-a1, api_base: "%1$s", cache_scope: acct-a1}
            model_info: {id: a1-key-y}
          - model_name: scoped
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-a2, api_base: "%1$s", cache_scope: acct-a2}
            model_info: {id: a2-key}
        """.formatted(emulator.baseUrl()));
    gateway = TestGateway.start(yaml.toString());
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    await(emulator.close());
    await(vertx.close());
    logs.close();
  }

  @BeforeEach
  void clean() {
    emulator.clearFaults();
  }

  @AfterEach
  void noSecretLogged() {
    assertThat(logs.all()).doesNotContain(MASTER, "sk-a1", "sk-a2", "sk-a3", "sk-i1", "sk-i2");
  }

  /** A request whose system prompt (about 3,000 tokens) is unique to {@code seed}. */
  private static String request(String model, long seed, boolean marker, String question) {
    Random random = new Random(seed);
    StringBuilder system = new StringBuilder("You are agent " + seed + ". ");
    while (system.length() < 12_000) {
      system.append("rule").append(random.nextInt(100_000)).append(' ');
    }
    String control = marker ? ",\"cache_control\":{\"type\":\"ephemeral\"}" : "";
    return "{\"model\":\"" + model + "\",\"max_tokens\":32,\"system\":[{\"type\":\"text\",\"text\":\"" + system
        + "\"" + control + "}],\"messages\":[{\"role\":\"user\",\"content\":\"" + question + "\"}]}";
  }

  private static HttpResponse<String> post(String body) throws Exception {
    return gateway.post("/v1/messages", body, "x-api-key", MASTER, "anthropic-version", "2023-06-01");
  }

  private static String route(HttpResponse<String> response) {
    return response.headers().firstValue("x-affinity-route").orElseThrow();
  }

  private static String deployment(HttpResponse<String> response) {
    return response.headers().firstValue("x-affinity-deployment").orElseThrow();
  }

  private static long cacheRead(HttpResponse<String> response) throws Exception {
    return JSON.readTree(response.body()).path("usage").path("cache_read_input_tokens").asLong();
  }

  @Test
  void routeKindsAndTheLinesLiteLlmUsersGrepFor() throws Exception {
    HttpResponse<String> first = post(request("sonnet", 1, true, "first question"));
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(route(first)).isEqualTo("claimed");
    String owner = deployment(first);
    for (String question : new String[] {"second", "third", "fourth"}) {
      HttpResponse<String> next = post(request("sonnet", 1, true, question));
      assertThat(route(next)).isEqualTo("pinned");
      assertThat(deployment(next)).isEqualTo(owner);
      assertThat(cacheRead(next)).isPositive();
    }
    assertThat(route(post(request("sonnet", 2, false, "no marker, nothing to pin")))).isEqualTo("unpinned");
    assertThat(logs.all()).contains("Adding model_id to cache: " + owner, "Found cached model_id: " + owner);
  }

  @Test
  void deploymentsSharingACacheScopeAreOneForAffinity() throws Exception {
    HttpResponse<String> first = post(request("scoped", 6, true, "start"));
    String scopeOfFirst = deployment(first).startsWith("a1-") ? "a1" : "a2";
    java.util.Set<String> used = new java.util.HashSet<>();
    for (int i = 0; i < 8; i++) {
      HttpResponse<String> next = post(request("scoped", 6, true, "turn " + i));
      assertThat(route(next)).isEqualTo("pinned");
      assertThat(cacheRead(next)).isPositive();
      used.add(deployment(next));
    }
    if (scopeOfFirst.equals("a1")) {
      assertThat(used).isSubsetOf("a1-key-x", "a1-key-y");
    } else {
      assertThat(used).containsOnly("a2-key");
    }
  }

  @Test
  void injectedMarkersAreSentAndHashed() throws Exception {
    HttpResponse<String> first = post(request("injected", 3, false, "q1"));
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(route(first)).isEqualTo("claimed");
    CapturedRequest sent = emulator.capturedRequests(deployment(first), 1).get(0);
    JsonNode system = JSON.readTree(sent.body()).path("system");
    assertThat(system.get(system.size() - 1).path("cache_control").path("type").asText()).isEqualTo("ephemeral");
    HttpResponse<String> second = post(request("injected", 3, false, "q2"));
    assertThat(route(second)).isEqualTo("pinned");
    assertThat(deployment(second)).isEqualTo(deployment(first));
    assertThat(cacheRead(second)).isPositive();
  }

  @Test
  void aSessionWhoseDeploymentFailsMovesOnceAndItsPinsMoveWithIt() throws Exception {
    HttpResponse<String> first = post(request("sonnet", 4, true, "hello"));
    String owner = deployment(first);
    emulator.injectFault(Fault.status(529).times(Fault.UNTIL_CLEARED).forAccount(owner));
    long ownerCalls = emulator.counters(owner).requests();

    // the pinned deployment fails before the first byte: the policy places the prefix and moves its pins
    HttpResponse<String> failing = post(request("sonnet", 4, true, "again"));
    assertThat(failing.statusCode()).as(failing.body()).isEqualTo(200);
    assertThat(route(failing)).isEqualTo("retried");
    String moved = deployment(failing);
    assertThat(moved).isNotEqualTo(owner);

    // the next turns follow the moved pins without trying the failed deployment and without writing the prefix again
    for (int turn = 0; turn < 3; turn++) {
      HttpResponse<String> next = post(request("sonnet", 4, true, "turn " + turn));
      assertThat(next.statusCode()).isEqualTo(200);
      assertThat(route(next)).as("turn %d", turn).isEqualTo("pinned");
      assertThat(deployment(next)).isEqualTo(moved);
      assertThat(cacheRead(next)).as("the prefix written once on the new deployment is read").isPositive();
      assertThat(JSON.readTree(next.body()).path("usage").path("cache_creation_input_tokens").asLong()).isZero();
    }
    assertThat(emulator.counters(owner).requests()).as("one failed call, then never again").isEqualTo(ownerCalls + 1);
    assertThat(logs.all()).contains("retried on " + moved + " after " + owner + " answered 529");
  }

  @Test
  void aShortRetryAfterWhereThePrefixIsCachedIsWaitedOutInsteadOfWritingThePrefixElsewhere() throws Exception {
    HttpResponse<String> first = post(request("sonnet", 5, true, "hello"));
    String owner = deployment(first);
    emulator.injectFault(Fault.status(529).retryAfter(java.time.Duration.ofSeconds(1)).times(1).forAccount(owner));
    long written = 0;
    for (String account : java.util.List.of("a1", "a2", "a3")) {
      written += emulator.counters(account).cacheCreationInputTokens();
    }
    HttpResponse<String> waited = post(request("sonnet", 5, true, "after a short overload"));
    assertThat(waited.statusCode()).as(waited.body()).isEqualTo(200);
    assertThat(route(waited)).isEqualTo("retried");
    assertThat(deployment(waited)).as("waited out on the deployment that holds the prefix").isEqualTo(owner);
    assertThat(cacheRead(waited)).isPositive();
    long after = 0;
    for (String account : java.util.List.of("a1", "a2", "a3")) {
      after += emulator.counters(account).cacheCreationInputTokens();
    }
    assertThat(after).as("nothing written again anywhere").isEqualTo(written);
  }

  @Test
  void aSessionIdKeepsASessionOnOneDeploymentWithoutBreakpoints() throws Exception {
    java.util.Set<String> byHeader = new java.util.HashSet<>();
    java.util.Set<String> byUserId = new java.util.HashSet<>();
    for (int turn = 0; turn < 6; turn++) {
      HttpResponse<String> headed = gateway.post("/v1/messages", request("sonnet", 40 + turn, false, "q" + turn),
          "x-api-key", MASTER, "anthropic-version", "2023-06-01", "x-claude-code-session-id", "cc-session-1");
      assertThat(headed.statusCode()).as(headed.body()).isEqualTo(200);
      assertThat(route(headed)).isEqualTo(turn == 0 ? "claimed" : "session");
      byHeader.add(deployment(headed));
      String withUserId = request("sonnet", 60 + turn, false, "q" + turn).replaceFirst("\\{",
          "{\"metadata\":{\"user_id\":\"user_x_account_y_session_cc-session-2\"},");
      HttpResponse<String> metadata = post(withUserId);
      assertThat(metadata.statusCode()).as(metadata.body()).isEqualTo(200);
      byUserId.add(deployment(metadata));
    }
    assertThat(byHeader).as("six prompts with nothing in common, one session").hasSize(1);
    assertThat(byUserId).hasSize(1);
  }

  @Test
  void adminEndpointsNeedTheMasterKeyAndNeverShowPrompts() throws Exception {
    post(request("sonnet", 5, true, "pin me"));
    HttpResponse<String> anonymous = HTTP.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl()
        + "/affinity/pins")).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(anonymous.statusCode()).isEqualTo(401);

    HttpResponse<String> pins = gateway.get("/affinity/pins", "x-api-key", MASTER);
    assertThat(pins.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(pins.body()).path("total").asInt()).isPositive();
    assertThat(pins.body()).doesNotContain("You are agent", "rule");

    HttpResponse<String> stats = gateway.get("/affinity/stats", "x-api-key", MASTER);
    JsonNode sonnet = JSON.readTree(stats.body()).path("models").path("sonnet");
    assertThat(sonnet.isObject()).isTrue();
    long reads = 0;
    for (JsonNode line : sonnet) {
      reads += line.path("cache_read_tokens").asLong();
      assertThat(line.path("pinned_but_missed").asLong()).isZero();
    }
    assertThat(reads).isPositive();

    HttpResponse<String> cleared = HTTP.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/affinity/pins"))
        .header("x-api-key", MASTER).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(cleared.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(gateway.get("/affinity/pins", "x-api-key", MASTER).body()).path("total").asInt())
        .isZero();
  }
}
