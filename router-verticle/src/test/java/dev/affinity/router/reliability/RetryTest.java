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
import java.time.Duration;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/** Upstream faults before the first byte are retried on another deployment; the client's own mistakes are not. */
class RetryTest {

  private static Vertx vertx;
  private static UpstreamEmulator emulator;
  private static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions().setLatency(LatencyModel.ZERO)
        .addAccount("r-1", "sk-r-1").addAccount("r-2", "sk-r-2").addAccount("solo", "sk-solo")));
    gateway = TestGateway.start("""
        router_settings: {num_retries: 1}
        model_list:
          - model_name: pair
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-r-1, api_base: "%1$s"}
            model_info: {id: r-1}
          - model_name: pair
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-r-2, api_base: "%1$s"}
            model_info: {id: r-2}
          - model_name: solo
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-solo, api_base: "%1$s"}
            model_info: {id: solo}
        """.formatted(emulator.baseUrl()));
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
  }

  private static HttpResponse<String> post(String model, boolean stream) throws Exception {
    return gateway.post("/v1/messages", "{\"model\":\"" + model + "\",\"max_tokens\":8,\"stream\":" + stream
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}", "anthropic-version", "2023-06-01");
  }

  @Test
  void aFailingDeploymentIsRetriedOnTheOther() throws Exception {
    for (int status : new int[] {500, 529, 429}) {
      emulator.injectFault(Fault.status(status).times(Fault.UNTIL_CLEARED).forAccount("r-1"));
      for (int i = 0; i < 6; i++) {
        HttpResponse<String> response = post("pair", i % 2 == 0);
        assertThat(response.statusCode()).as("after a %d, request %d: %s", status, i, response.body())
            .isEqualTo(200);
        assertThat(response.headers().firstValue("x-affinity-deployment")).hasValue("r-2");
      }
      emulator.clearFaults();
    }
  }

  @Test
  void theClientsOwnMistakeIsNotRetried() throws Exception {
    emulator.injectFault(Fault.status(400).times(2).forAccount("r-1"));
    emulator.injectFault(Fault.status(400).times(2).forAccount("r-2"));
    long before = emulator.counters("r-1").requests() + emulator.counters("r-2").requests();
    HttpResponse<String> response = post("pair", false);
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(emulator.counters("r-1").requests() + emulator.counters("r-2").requests()).isEqualTo(before + 1);
  }

  @Test
  void withNowhereElseToGoAShortRetryAfterIsWaitedOutOnTheSameDeployment() throws Exception {
    emulator.injectFault(Fault.status(529).retryAfter(Duration.ofSeconds(1)).forAccount("solo").times(1));
    long before = emulator.counters("solo").errors();
    HttpResponse<String> response = post("solo", false);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("x-affinity-route")).hasValue("retried");
    assertThat(emulator.counters("solo").errors()).as("the 529, then the retry answered").isEqualTo(before + 1);
  }

  @Test
  void withNowhereElseToGoTheErrorReachesTheClientWhenRetriesRunOutOrTheWaitIsLong() throws Exception {
    // num_retries: 1, so the second 529 is relayed as it came
    emulator.injectFault(Fault.status(529).retryAfter(Duration.ofSeconds(1)).forAccount("solo").times(2));
    HttpResponse<String> response = post("solo", false);
    assertThat(response.statusCode()).isEqualTo(529);
    assertThat(response.headers().firstValue("retry-after")).hasValue("1");
    // a retry-after longer than the router holds a request is the client's to wait
    emulator.injectFault(Fault.status(529).retryAfter(Duration.ofSeconds(30)).forAccount("solo").times(1));
    HttpResponse<String> longWait = post("solo", false);
    assertThat(longWait.statusCode()).isEqualTo(529);
    assertThat(longWait.headers().firstValue("retry-after")).hasValue("30");
  }
}
