package dev.affinity.router.security;

import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.model.EventBusAddress;
import dev.affinity.router.TestGateway;
import dev.affinity.router.node.ClusterSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.UUID;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Issue 12 finding 1: any cluster member (or anyone who could speak the event-bus protocol to a node) made upstream
 * calls with the deployments' credentials through {@code affinity.router}, keyless; a wildcard cluster interface
 * bound the event bus to 0.0.0.0. The public event-bus API is now opt-in and its callers present the gateway key.
 */
class EventBusAccessTest {

  private static final String KEY = "sk-bus-access";
  private static Vertx vertx;
  private static UpstreamEmulator emulator;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions().setLatency(LatencyModel.ZERO)
        .addAccount("acct-1", "sk-acct-1")));
  }

  @AfterAll
  static void stop() throws Exception {
    await(emulator.close());
    await(vertx.close());
  }

  private static JsonObject call() {
    return new JsonObject().put("body", new JsonObject().put("model", "m").put("max_tokens", 5)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi"))));
  }

  private static ReplyException refusal(Future<?> call) {
    Throwable failure = catchThrowable(() -> await(call));
    assertThat(failure).as("the call must be refused").isNotNull().hasCauseInstanceOf(ReplyException.class);
    return (ReplyException) failure.getCause();
  }

  @Test
  @Timeout(120)
  void byDefaultClusterMembersCannotCallTheRouter() throws Exception {
    String cluster = "bus-closed-" + UUID.randomUUID();
    try (TestGateway gateway = TestGateway.start(TestGateway.modelList("m", emulator.baseUrl(),
        List.of("acct-1")), cluster)) {
      Vertx member = TestGateway.clusterMember(cluster);
      try {
        ReplyException refused = refusal(member.eventBus().request(EventBusAddress.ROUTER, call()));
        assertThat(refused.failureType()).isEqualTo(ReplyFailure.NO_HANDLERS);
        // the node's own HTTP ingress still reaches its local router
        assertThat(gateway.post("/v1/messages", call().getJsonObject("body").encode(), "content-type",
            "application/json").statusCode()).isEqualTo(200);
      } finally {
        await(member.close());
      }
    }
  }

  @Test
  @Timeout(120)
  void whenOpenedCallersPresentTheGatewayKey() throws Exception {
    String cluster = "bus-open-" + UUID.randomUUID();
    try (TestGateway gateway = TestGateway.start("general_settings: {master_key: " + KEY + "}\n"
        + "server_settings: {event_bus_api: true}\n"
        + TestGateway.modelList("m", emulator.baseUrl(), List.of("acct-1")), cluster)) {
      Vertx member = TestGateway.clusterMember(cluster);
      try {
        assertThat(refusal(member.eventBus().request(EventBusAddress.ROUTER, call())).failureCode())
            .isEqualTo(401);
        assertThat(refusal(member.eventBus().request(EventBusAddress.ROUTER, call(),
            new DeliveryOptions().addHeader("x-api-key", "sk-guess"))).failureCode()).isEqualTo(401);
        JsonObject answer = await(member.eventBus().<JsonObject>request(EventBusAddress.ROUTER, call(),
            new DeliveryOptions().addHeader("x-api-key", KEY))).body();
        assertThat(answer.getInteger("status")).isEqualTo(200);
      } finally {
        await(member.close());
      }
    }
  }

  @Test
  void aWildcardClusterInterfaceBindsTheEventBusToAMatchingAddressNotToEveryInterface() {
    ClusterSettings pattern = new ClusterSettings(null, "127.0.0.1", 5701, "127.0.0.*", "any");
    assertThat(pattern.eventBusHost()).isEqualTo("127.0.0.1");
    assertThat(new ClusterSettings(null, "127.0.0.1", 5701, "127.0.0.1-9", "any").eventBusHost())
        .isEqualTo("127.0.0.1");
  }
}
