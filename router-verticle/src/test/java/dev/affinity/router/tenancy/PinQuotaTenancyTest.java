package dev.affinity.router.tenancy;

import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.router.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Random;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One node, two tenants and {@code max_pins_per_tenant: 2}: the tenant that fills its quota goes unpinned for new
 * prefixes and keeps its own pins; the other still pins and follows; pins removed free the quota.
 */
class PinQuotaTenancyTest {

  private static final String MASTER = "sk-pin-quota-master";
  private static final int QUOTA = 2;
  private static Vertx vertx;
  private static UpstreamEmulator emulator;
  private static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions().setLatency(LatencyModel.ZERO)
        .addAccount("a1", "sk-a1").addAccount("a2", "sk-a2")));
    gateway = TestGateway.start("general_settings: {master_key: " + MASTER + "}\n"
        + "router_settings: {max_pins_per_tenant: " + QUOTA + "}\n"
        + TestGateway.modelList("sonnet", emulator.baseUrl(), List.of("a1", "a2")));
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    await(emulator.close());
    await(vertx.close());
  }

  /** A virtual key of a team of its own, allowed the routing headers: a tenant of its own. */
  private static String tenant() throws Exception {
    String team = admin("/team/new", new JsonObject()).getString("team_id");
    return admin("/key/generate", new JsonObject().put("team_id", team)
        .put("permissions", new JsonObject().put("affinity_routing_headers", true))).getString("key");
  }

  private static JsonObject admin(String path, JsonObject body) throws Exception {
    HttpResponse<String> response = gateway.post(path, body.encode(), "authorization", "Bearer " + MASTER,
        "content-type", "application/json");
    assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
    return new JsonObject(response.body());
  }

  private static String route(String key, String body) throws Exception {
    HttpResponse<String> response = gateway.post("/v1/messages", body, "x-api-key", key,
        "anthropic-version", "2023-06-01");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response.headers().firstValue("x-affinity-route").orElseThrow();
  }

  @Test
  void aTenantAtItsQuotaCannotTakeAnothersPinsAndRemovedPinsFreeIt() throws Exception {
    String a = tenant();
    String b = tenant();
    Random seeds = new Random();
    String firstOfA = KeyManagementTest.cacheablePrompt(seeds.nextLong());
    assertThat(route(a, firstOfA)).isEqualTo("claimed");

    // A fills its quota: each new prompt claims its prefixes until it holds QUOTA pins or more
    int claimed = 1;
    String overQuota = null;
    while (overQuota == null) {
      assertThat(claimed).as("prompts claimed before the quota stopped them").isLessThanOrEqualTo(QUOTA);
      String prompt = KeyManagementTest.cacheablePrompt(seeds.nextLong());
      if (route(a, prompt).equals("unpinned")) {
        overQuota = prompt;
      } else {
        claimed++;
      }
    }
    // nothing was pinned for it: sent again, it is still unpinned, and so is any other new prefix of A
    assertThat(route(a, overQuota)).isEqualTo("unpinned");
    assertThat(route(a, KeyManagementTest.cacheablePrompt(seeds.nextLong()))).isEqualTo("unpinned");
    // A keeps the pins it holds
    assertThat(route(a, firstOfA)).isEqualTo("pinned");

    // B is another tenant: its prefixes are claimed and followed
    String ofB = KeyManagementTest.cacheablePrompt(seeds.nextLong());
    assertThat(route(b, ofB)).as("B's turn 1").isEqualTo("claimed");
    assertThat(route(b, ofB)).as("B's turn 2").isEqualTo("pinned");
    assertThat(route(a, firstOfA)).as("B's pins took none of A's").isEqualTo("pinned");

    // the admin removes every pin: A's quota is free again
    assertThat(gateway.delete("/affinity/pins", "x-api-key", MASTER).statusCode()).isEqualTo(200);
    assertThat(route(a, overQuota)).isEqualTo("claimed");
    assertThat(route(a, overQuota)).isEqualTo("pinned");
  }
}
