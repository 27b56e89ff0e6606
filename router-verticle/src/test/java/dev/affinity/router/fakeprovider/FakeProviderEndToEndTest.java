package dev.affinity.router.fakeprovider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.affinity.model.config.ConfigException;
import dev.affinity.model.config.ConfigLoader;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.GatewayConfig;
import dev.affinity.router.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A provider the gateway has never heard of, added as a new provider is: one package (this one) and one registration
 * ({@code META-INF/services/dev.affinity.model.provider.Provider} in the test resources). Its prefix, settings and
 * errors load from the config file; the node deploys its verticle; the routing policy pins by its automatic cache.
 */
class FakeProviderEndToEndTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** What the tiny FakeCloud server was sent: the tenant header and the key of each call. */
  private record Seen(String tenant, String apiKey) {
  }

  private static final List<Seen> SEEN = new CopyOnWriteArrayList<>();
  private static Vertx vertx;
  private static HttpServer fakeCloud;
  private static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    fakeCloud = await(vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      SEEN.add(new Seen(request.getHeader(FakeCloudVerticle.TENANT_HEADER), request.getHeader("x-api-key")));
      JsonObject answer = new JsonObject().put("id", "msg_fc").put("type", "message").put("role", "assistant")
          .put("model", new JsonObject(body).getString("model"))
          .put("content", new io.vertx.core.json.JsonArray().add(new JsonObject().put("type", "text")
              .put("text", "hello from " + request.getHeader(FakeCloudVerticle.TENANT_HEADER))))
          .put("stop_reason", "end_turn")
          .put("usage", new JsonObject().put("input_tokens", body.length() / 4).put("output_tokens", 3));
      request.response().putHeader("content-type", "application/json")
          .putHeader("x-fakecloud-tenant-served", request.getHeader(FakeCloudVerticle.TENANT_HEADER))
          .end(answer.encode());
    })).listen(0, "127.0.0.1"));
    String base = "http://127.0.0.1:" + fakeCloud.actualPort();
    gateway = TestGateway.start("""
        model_list:
          - model_name: fc
            litellm_params: {model: fakecloud/fc-large, api_key: key-acme, api_base: "%1$s", fakecloud_tenant: acme}
            model_info: {id: fc-acme}
          - model_name: fc
            litellm_params: {model: fakecloud/fc-large, api_key: key-globex, api_base: "%1$s",
                             fakecloud_tenant: globex}
            model_info: {id: fc-globex}
        router_settings: {balance_abs_threshold: 1000000}
        """.formatted(base));
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    await(fakeCloud.close());
    await(vertx.close());
  }

  @Test
  void aConversationReachesTheFakeProviderWithItsSettingsAndStaysPinnedByItsAutomaticCache() throws Exception {
    Random random = new Random(7);
    StringBuilder system = new StringBuilder();
    while (system.length() < 4_000) {
      system.append("clause").append(random.nextInt(80_000)).append(' ');
    }
    ArrayNode messages = JSON.createArrayNode();
    String first = null;
    for (int turn = 0; turn < 3; turn++) {
      messages.addObject().put("role", "user").put("content", "question " + turn);
      // no cache_control anywhere: a marker-caching provider would have nothing to pin
      ObjectNode request = JSON.createObjectNode().put("model", "fc").put("max_tokens", 16)
          .put("system", system.toString());
      request.set("messages", messages.deepCopy());
      SEEN.clear();
      HttpResponse<String> response = gateway.post("/v1/messages", request.toString(),
          "anthropic-version", "2023-06-01", "content-type", "application/json");

      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      String deployment = response.headers().firstValue("x-affinity-deployment").orElseThrow();
      String tenant = deployment.equals("fc-acme") ? "acme" : "globex";
      assertThat(SEEN).containsExactly(new Seen(tenant, "key-" + tenant));
      assertThat(response.headers().firstValue("x-fakecloud-tenant-served")).hasValue(tenant);
      JsonNode body = JSON.readTree(response.body());
      assertThat(body.path("content").path(0).path("text").asText()).isEqualTo("hello from " + tenant);
      assertThat(body.path("model").asText()).isEqualTo("fc-large");
      if (turn == 0) {
        first = deployment;
      } else {
        assertThat(deployment).isEqualTo(first);
        assertThat(response.headers().firstValue("x-affinity-route")).hasValue("pinned");
      }
      messages.addObject().put("role", "assistant").put("content", "answer " + turn);
    }
  }

  @Test
  void itsSettingsAreReadAndCheckedWithTheRestOfTheFile() throws Exception {
    GatewayConfig config = ConfigLoader.parse("""
        model_list:
          - model_name: fc
            litellm_params: {model: fakecloud/fc-small, api_key: k, api_base: "http://127.0.0.1:9", fakecloud_tenant: t1}
          - model_name: claude
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: k, fakecloud_tenant: t1}
        """, Map.of());
    Deployment fake = config.deploymentsFor("fc").get(0);
    assertThat(fake.settings(FakeCloudSettings.class)).isEqualTo(new FakeCloudSettings("t1"));
    assertThat(fake.cacheScope()).isEqualTo("fakecloud:t1");
    assertThat(fake.litellmModel()).isEqualTo("fakecloud/fc-small");
    assertThat(config.warnings()).containsExactly(
        "model_list[1].litellm_params.fakecloud_tenant: only used by FakeCloud deployments, ignored");

    assertThatThrownBy(() -> ConfigLoader.parse("""
        model_list:
          - model_name: fc
            litellm_params: {model: fakecloud/fc-small, api_key: k, api_base: "http://127.0.0.1:9"}
        """, Map.of())).isInstanceOf(ConfigException.class)
        .hasMessageContaining("model_list[0].litellm_params.fakecloud_tenant: required: the FakeCloud tenant to call as");
  }
}
