package dev.affinity.router.reliability;

import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.Fault;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.router.TestGateway;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.List;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An upstream that goes silent after the stream began: bytes have reached the client, so the call is not retried
 * (a second deployment stands ready and is never called); the stream ends with an error in the client's API.
 */
class MidStreamFailureTest {

  private static Vertx vertx;
  private static UpstreamEmulator emulator;
  private static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions().setLatency(LatencyModel.ZERO)
        .addAccount("mid-1", "sk-mid-1").addAccount("mid-2", "sk-mid-2")));
    gateway = TestGateway.start("router_settings: {num_retries: 2, timeout: 1}\n"
        + TestGateway.modelList("pair", emulator.baseUrl(), List.of("mid-1", "mid-2")));
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    await(emulator.close());
    await(vertx.close());
  }

  @AfterEach
  void clearFaults() {
    emulator.clearFaults();
    emulator.reset();
  }

  private static long upstreamCalls() {
    return emulator.counters("mid-1").requests() + emulator.counters("mid-2").requests()
        + emulator.counters("mid-1").openAiRequests() + emulator.counters("mid-2").openAiRequests();
  }

  @Test
  void anAnthropicStreamCutAfterItsFirstEventEndsWithAnErrorEventAndIsNotRetried() throws Exception {
    emulator.injectFault(Fault.stallMidStream().times(Fault.UNTIL_CLEARED));
    HttpResponse<String> response = gateway.post("/v1/messages", "{\"model\":\"pair\",\"max_tokens\":8,"
        + "\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}", "anthropic-version",
        "2023-06-01");
    assertThat(response.statusCode()).as("the status went out with the first event").isEqualTo(200);
    assertThat(response.body()).startsWith("event: message_start");
    assertThat(response.body()).contains("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":");
    assertThat(response.body()).doesNotContain("message_stop");
    assertThat(upstreamCalls()).as("never retried once bytes were relayed").isEqualTo(1);
  }

  @Test
  void anOpenAiStreamCutAfterItsFirstChunkEndsWithAnErrorChunk() throws Exception {
    emulator.injectFault(Fault.stallMidStream().times(Fault.UNTIL_CLEARED));
    HttpResponse<String> response = gateway.post("/v1/chat/completions", "{\"model\":\"pair\",\"stream\":true,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).startsWith("data: {");
    assertThat(response.body()).contains("data: {\"error\":{").doesNotContain("data: [DONE]");
    assertThat(upstreamCalls()).isEqualTo(1);
  }
}
