package dev.affinity.router.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.router.TestGateway;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.util.List;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 12 finding 8: with two {@code model} keys the parser kept the last (routing, limits) while the rewrite
 * changed the first, so the upstream saw another model than the one routed. A duplicate key is refused.
 */
class DuplicateKeyTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  @Timeout(120)
  void aBodyWithADuplicateKeyIsRefusedInTheApisOwnShape() throws Exception {
    Vertx vertx = Vertx.vertx();
    UpstreamEmulator emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions()
        .setLatency(LatencyModel.ZERO).addAccount("acct-1", "sk-acct-1")));
    try (TestGateway gateway = TestGateway.start(TestGateway.modelList("cheap", emulator.baseUrl(),
        List.of("acct-1")))) {
      HttpResponse<String> messages = gateway.post("/v1/messages", "{\"model\":\"claude-opus-4-1\",\"model\":"
          + "\"cheap\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
          "content-type", "application/json");
      assertThat(messages.statusCode()).as(messages.body()).isEqualTo(400);
      JsonNode error = JSON.readTree(messages.body());
      assertThat(error.path("type").asText()).isEqualTo("error");
      assertThat(error.path("error").path("type").asText()).isEqualTo("invalid_request_error");
      assertThat(error.path("error").path("message").asText()).contains("Duplicate field 'model'");

      HttpResponse<String> chat = gateway.post("/v1/chat/completions", "{\"model\":\"cheap\",\"messages\":[],"
          + "\"model\":\"cheap\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
          "content-type", "application/json");
      assertThat(chat.statusCode()).as(chat.body()).isEqualTo(400);
      assertThat(JSON.readTree(chat.body()).path("error").path("type").asText())
          .isEqualTo("invalid_request_error");
      assertThat(emulator.capturedRequests("acct-1")).isEmpty();
    } finally {
      await(emulator.close());
      await(vertx.close());
    }
  }
}
