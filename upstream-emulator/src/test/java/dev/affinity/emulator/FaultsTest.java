package dev.affinity.emulator;

import static dev.affinity.emulator.ApiCalls.request;
import static dev.affinity.emulator.ApiCalls.userSays;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Injected failures, through the Java API and the admin API. */
@ExtendWith(VertxExtension.class)
class FaultsTest {

  private static final String KEY_1 = "sk-emu-1";
  private static final String KEY_2 = "sk-emu-2";
  /** Long enough for a loaded machine to answer a healthy request, short enough to keep the suite quick. */
  private static final Duration SILENCE = Duration.ofMillis(400);

  private UpstreamEmulator emulator;
  private ApiCalls api;

  @BeforeEach
  void start(Vertx vertx) {
    emulator = UpstreamEmulator.start(vertx, new EmulatorOptions()
        .addAccount("acct-1", KEY_1)
        .addAccount("acct-2", KEY_2)).await();
    api = new ApiCalls(emulator);
  }

  @AfterEach
  void stop() {
    emulator.close().await();
  }

  private static JsonObject hello() {
    return request(new JsonArray().add(userSays("hello")));
  }

  @Test
  void aStatusFaultAnswersItsCountOfRequestsOfItsAccountOnly() {
    emulator.injectFault(Fault.status(529).retryAfter(Duration.ofSeconds(2)).times(2).forAccount("acct-1"));

    assertThat(api.messages(KEY_2, hello()).statusCode()).isEqualTo(200);
    for (int i = 0; i < 2; i++) {
      HttpResponse<String> response = api.messages(KEY_1, hello());
      assertThat(response.statusCode()).isEqualTo(529);
      assertThat(response.headers().firstValue("retry-after")).hasValue("2");
      JsonObject body = new JsonObject(response.body());
      assertThat(body.getJsonObject("error").getString("type")).isEqualTo("overloaded_error");
      assertThat(body.getString("request_id")).startsWith("req_");
    }
    assertThat(api.messages(KEY_1, hello()).statusCode()).isEqualTo(200);
    assertThat(emulator.counters("acct-1").errors()).isEqualTo(2);
    assertThat(emulator.counters("acct-1").requests()).isEqualTo(3);
    assertThat(emulator.pendingFaults()).isEmpty();
  }

  @Test
  void faultsInjectedOverHttpApplyToEveryAccountWhenNoneIsNamed() {
    HttpResponse<String> injected = api.post("/_emulator/faults", null,
        "{\"type\":\"status\",\"status\":429,\"retry_after\":3,\"count\":2}");
    assertThat(injected.statusCode()).isEqualTo(201);

    HttpResponse<String> first = api.messages(KEY_1, hello());
    assertThat(first.statusCode()).isEqualTo(429);
    assertThat(first.headers().firstValue("retry-after")).hasValue("3");
    assertThat(new JsonObject(first.body()).getJsonObject("error").getString("type")).isEqualTo("rate_limit_error");
    assertThat(api.messages(KEY_2, hello()).statusCode()).isEqualTo(429);
    assertThat(api.messages(KEY_1, hello()).statusCode()).isEqualTo(200);
  }

  @Test
  void clearingFaultsDisarmsThem() {
    api.post("/_emulator/faults", null, "{\"type\":\"status\",\"status\":500,\"count\":-1}");
    assertThat(api.messages(KEY_1, hello()).statusCode()).isEqualTo(500);
    assertThat(api.messages(KEY_1, hello()).statusCode()).isEqualTo(500);
    assertThat(new JsonObject(api.get("/_emulator/faults", null).body()).getJsonArray("faults")).hasSize(1);

    assertThat(api.delete("/_emulator/faults").statusCode()).isEqualTo(204);
    assertThat(api.messages(KEY_1, hello()).statusCode()).isEqualTo(200);
  }

  @Test
  void malformedFaultsAreRejected() {
    assertThat(api.post("/_emulator/faults", null, "{\"type\":\"explode\"}").statusCode()).isEqualTo(400);
    assertThat(api.post("/_emulator/faults", null, "{\"type\":\"status\"}").statusCode()).isEqualTo(400);
    assertThat(api.post("/_emulator/faults", null, "{\"type\":\"reset\",\"account\":\"nobody\"}").statusCode())
        .isEqualTo(400);
    assertThat(emulator.pendingFaults()).isEmpty();
  }

  @Test
  void aResetFaultClosesTheConnectionBeforeAnyResponse() {
    emulator.injectFault(Fault.reset());
    assertThatThrownBy(() -> api.messagesWithTimeout(KEY_1, hello(), Duration.ofSeconds(10)))
        .isInstanceOf(IOException.class)
        .isNotInstanceOf(HttpTimeoutException.class);
    assertThat(api.messages(KEY_1, hello()).statusCode()).isEqualTo(200);
    assertThat(emulator.counters("acct-1").errors()).isEqualTo(1);
  }

  @Test
  void aStallFaultNeverAnswers() throws InterruptedException {
    emulator.injectFault(Fault.stall());
    assertThatThrownBy(() -> api.messagesWithTimeout(KEY_1, hello(), SILENCE))
        .isInstanceOf(HttpTimeoutException.class);
    // on a loaded machine the client may give up before the request arrives: wait until the stall was taken,
    // so the follow-up cannot take it instead and wait forever
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!emulator.pendingFaults().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(emulator.pendingFaults()).isEmpty();
    assertThat(api.messages(KEY_1, hello()).statusCode()).isEqualTo(200);
  }

  @Test
  void aMidStreamStallSendsMessageStartThenGoesSilent(Vertx vertx) throws Exception {
    emulator.injectFault(Fault.stallMidStream());
    HttpClient client = vertx.createHttpClient(new HttpClientOptions()
        .setIdleTimeout((int) SILENCE.toMillis()).setIdleTimeoutUnit(TimeUnit.MILLISECONDS));
    Buffer received = Buffer.buffer();
    Promise<Integer> status = Promise.promise();
    Future<Void> ended = client.request(HttpMethod.POST, emulator.port(), "127.0.0.1", "/v1/messages")
        .compose(request -> request
            .putHeader("x-api-key", KEY_1)
            .putHeader("anthropic-version", ApiCalls.VERSION)
            .send(hello().put("stream", true).encode()))
        .compose(response -> {
          status.complete(response.statusCode());
          Promise<Void> end = Promise.promise();
          response.handler(received::appendBuffer);
          response.exceptionHandler(end::tryFail);
          response.endHandler(v -> end.tryComplete());
          return end.future();
        });

    assertThatThrownBy(() -> ended.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS))
        .isNotNull();
    assertThat(status.future().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS)).isEqualTo(200);
    List<ApiCalls.Event> events = ApiCalls.events(received.toString());
    assertThat(events).extracting(ApiCalls.Event::name).containsExactly("message_start");
    assertThat(emulator.counters("acct-1").errors()).isEqualTo(1);
    client.close().await();
  }
}
