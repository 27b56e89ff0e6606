package dev.affinity.emulator;

import static dev.affinity.emulator.ApiCalls.marked;
import static dev.affinity.emulator.ApiCalls.request;
import static dev.affinity.emulator.ApiCalls.text;
import static dev.affinity.emulator.ApiCalls.textOfTokens;
import static dev.affinity.emulator.ApiCalls.userSays;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The {@code /_emulator} routes and the matching Java API: captures, counters, reset, clock. */
@ExtendWith(VertxExtension.class)
class AdminApiTest {

  private static final String KEY = "sk-emu-secret-1";

  private UpstreamEmulator emulator;
  private ApiCalls api;

  @BeforeEach
  void start(Vertx vertx) {
    emulator = UpstreamEmulator.start(vertx, new EmulatorOptions()
        .addAccount("acct-1", KEY)
        .addAccount("acct-2", "sk-emu-secret-2")
        .setCapturedRequestsPerAccount(3)).await();
    api = new ApiCalls(emulator);
  }

  @AfterEach
  void stop() {
    emulator.close().await();
  }

  @Test
  void aCapturedRequestKeepsTheBodyBytesAndHidesTheKey() {
    // Odd spacing, key order, fields not played and non-ASCII text: all must come back untouched.
    String body = "{ \"context_management\" : {\"b\":1, \"a\":2},\"model\":\"claude-sonnet-4-5\",\n\"max_tokens\":5,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"h\u00e9llo \u2713\"}] }";
    HttpRequest request = api.request("/v1/messages?beta=true", KEY)
        .header("anthropic-beta", "prompt-caching-2024-07-31,context-management-2025-06-27")
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
    assertThat(api.send(request).statusCode()).isEqualTo(200);

    CapturedRequest captured = emulator.capturedRequests("acct-1").get(0);
    assertThat(captured.method()).isEqualTo("POST");
    assertThat(captured.uri()).isEqualTo("/v1/messages?beta=true");
    assertThat(captured.body()).isEqualTo(body);
    assertThat(captured.header("X-Api-Key")).isEqualTo(CapturedRequest.REDACTED);
    assertThat(captured.header("anthropic-beta"))
        .isEqualTo("prompt-caching-2024-07-31,context-management-2025-06-27");

    HttpResponse<String> overHttp = api.get("/_emulator/requests?account=acct-1&limit=5", null);
    assertThat(overHttp.body()).doesNotContain(KEY);
    JsonObject first = new JsonObject(overHttp.body()).getJsonArray("requests").getJsonObject(0);
    assertThat(first.getString("body")).isEqualTo(body);
    assertThat(first.getString("uri")).isEqualTo("/v1/messages?beta=true");
    assertThat(first.getJsonObject("headers").getString("x-api-key")).isEqualTo(CapturedRequest.REDACTED);
  }

  @Test
  void capturesAreBoundedAndListedOldestFirst() {
    for (int i = 0; i < 5; i++) {
      api.messages(KEY, request(new JsonArray().add(userSays("turn " + i))));
    }
    List<CapturedRequest> kept = emulator.capturedRequests("acct-1");
    assertThat(kept).hasSize(3);
    assertThat(kept.get(0).body()).contains("turn 2");
    assertThat(kept.get(2).body()).contains("turn 4");

    JsonArray lastTwo = new JsonObject(api.get("/_emulator/requests?account=acct-1&limit=2", null).body())
        .getJsonArray("requests");
    assertThat(lastTwo).hasSize(2);
    assertThat(lastTwo.getJsonObject(1).getString("body")).contains("turn 4");
    assertThat(emulator.capturedRequests("acct-2")).isEmpty();
    assertThat(api.get("/_emulator/requests?account=nobody", null).statusCode()).isEqualTo(404);
    assertThat(api.get("/_emulator/requests", null).statusCode()).isEqualTo(400);
  }

  @Test
  void countersAddUpUsagePerAccountAndModel() {
    JsonObject cached = request(new JsonArray().add(userSays(new JsonArray()
        .add(marked(text(textOfTokens(1100, 'c')))))));
    api.usage(KEY, cached);
    api.usage(KEY, cached);
    api.post("/v1/messages", KEY, "{}");

    AccountCounters counters = emulator.counters("acct-1");
    assertThat(counters.requests()).isEqualTo(3);
    assertThat(counters.errors()).isEqualTo(1);
    assertThat(counters.cacheCreationInputTokens()).isEqualTo(1103);
    assertThat(counters.cacheReadInputTokens()).isEqualTo(1103);
    assertThat(counters.inputTokens()).isZero();
    assertThat(counters.outputTokens()).isEqualTo(2L * EmulatorOptions.DEFAULT_OUTPUT_TOKENS);
    assertThat(counters.models().get(ApiCalls.MODEL).responses()).isEqualTo(2);
    assertThat(emulator.counters("acct-2").requests()).isZero();

    JsonObject overHttp = new JsonObject(api.get("/_emulator/counters", null).body());
    JsonObject account = overHttp.getJsonObject("acct-1");
    assertThat(account.getLong("requests")).isEqualTo(3);
    assertThat(account.getLong("cache_read_input_tokens")).isEqualTo(1103);
    assertThat(account.getJsonObject("models").getJsonObject(ApiCalls.MODEL).getLong("output_tokens"))
        .isEqualTo(2L * EmulatorOptions.DEFAULT_OUTPUT_TOKENS);
    assertThat(overHttp.getJsonObject("acct-2").getLong("requests")).isZero();
  }

  @Test
  void resetClearsCountersCachesCapturesAndFaults() {
    JsonObject cached = request(new JsonArray().add(userSays(new JsonArray()
        .add(marked(text(textOfTokens(1100, 'r')))))));
    api.usage(KEY, cached);
    emulator.injectFault(Fault.status(500).forAccount("acct-2"));

    assertThat(api.post("/_emulator/reset", null, "").statusCode()).isEqualTo(204);

    assertThat(emulator.counters("acct-1").requests()).isZero();
    assertThat(emulator.capturedRequests("acct-1")).isEmpty();
    assertThat(emulator.pendingFaults()).isEmpty();
    assertThat(api.usage(KEY, cached).getLong("cache_creation_input_tokens")).isEqualTo(1103);
  }

  @Test
  void theClockCanBeAdvancedOverHttp() {
    Instant before = emulator.now();
    HttpResponse<String> response = api.post("/_emulator/clock", null, "{\"advance_seconds\":3600}");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(Duration.between(before, emulator.now())).isGreaterThanOrEqualTo(Duration.ofHours(1));
    assertThat(api.post("/_emulator/clock", null, "{\"advance_seconds\":-1}").statusCode()).isEqualTo(400);
  }
}
