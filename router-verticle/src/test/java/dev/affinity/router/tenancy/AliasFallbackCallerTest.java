package dev.affinity.router.tenancy;

import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.Fault;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.router.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A request served by a fallback alias is still its caller's (commit 23d3d68): the fallback's cost is booked to the
 * virtual key that asked, and a key held to some models does not reach a fallback alias outside them. Before, the
 * fallback request lost its caller: spend unbooked, model access and team reservations bypassed.
 */
class AliasFallbackCallerTest {

  private static final String MASTER = "sk-fallback-caller-master";
  private static Vertx vertx;
  private static UpstreamEmulator emulator;
  private static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions().setLatency(LatencyModel.ZERO)
        .addAccount("main", "sk-main").addAccount("spare", "sk-spare")));
    // every answer of the primary alias's only deployment is a 503: each request falls back
    emulator.injectFault(Fault.status(503).times(Fault.UNTIL_CLEARED).forAccount("main"));
    gateway = TestGateway.start("""
        general_settings: {master_key: %2$s}
        model_list:
          - model_name: primary
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-main, api_base: "%1$s"}
            model_info: {id: main}
          - model_name: backup
            litellm_params: {model: anthropic/claude-haiku-4-5, api_key: sk-spare, api_base: "%1$s"}
            model_info: {id: spare}
        router_settings:
          num_retries: 0
          fallbacks: [{primary: [backup]}]
        """.formatted(emulator.baseUrl(), MASTER));
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    await(emulator.close());
    await(vertx.close());
  }

  private static String newKey(JsonObject fields) throws Exception {
    HttpResponse<String> response = gateway.post("/key/generate", fields.encode(), "authorization",
        "Bearer " + MASTER, "content-type", "application/json");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonObject(response.body()).getString("key");
  }

  private static HttpResponse<String> infer(String key) throws Exception {
    String body = new JsonObject().put("model", "primary").put("max_tokens", 16)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hello"))).encode();
    return gateway.post("/v1/messages", body, "x-api-key", key, "anthropic-version", "2023-06-01",
        "content-type", "application/json");
  }

  private static double spend(String key) throws Exception {
    return new JsonObject(gateway.get("/key/info?key=" + key, "x-api-key", MASTER).body())
        .getJsonObject("info").getDouble("spend");
  }

  @Test
  void aFallbacksCostIsBookedToTheKeyThatAsked() throws Exception {
    String key = newKey(new JsonObject());
    HttpResponse<String> answer = infer(key);
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    assertThat(answer.headers().firstValue("x-affinity-fallback")).hasValue("backup");
    // the cost is booked when the answer ends, off the request path: wait until the key's spend shows it
    double spent = 0;
    for (int i = 0; i < 250 && spent <= 0; i++) {
      spent = spend(key);
      Thread.sleep(20);
    }
    assertThat(spent).as("spend booked to the key for the fallback's answer").isPositive();
  }

  @Test
  void aKeyHeldToItsModelsDoesNotReachAFallbackAliasOutsideThem() throws Exception {
    String key = newKey(new JsonObject().put("models", new JsonArray().add("primary")));
    long spareCalls = emulator.counters("spare").requests();
    HttpResponse<String> answer = infer(key);
    assertThat(answer.statusCode()).as(answer.body()).isNotEqualTo(200);
    assertThat(answer.headers().firstValue("x-affinity-fallback")).isEmpty();
    assertThat(emulator.counters("spare").requests()).isEqualTo(spareCalls);
  }
}
