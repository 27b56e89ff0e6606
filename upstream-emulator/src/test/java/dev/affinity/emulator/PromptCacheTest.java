package dev.affinity.emulator;

import static dev.affinity.emulator.ApiCalls.assistantSays;
import static dev.affinity.emulator.ApiCalls.marked;
import static dev.affinity.emulator.ApiCalls.markedOneHour;
import static dev.affinity.emulator.ApiCalls.request;
import static dev.affinity.emulator.ApiCalls.text;
import static dev.affinity.emulator.ApiCalls.textOfTokens;
import static dev.affinity.emulator.ApiCalls.userSays;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Anthropic's prompt-cache rules, observed through the usage numbers of real HTTP answers. */
@ExtendWith(VertxExtension.class)
class PromptCacheTest {

  private static final String KEY = "sk-emu-1";
  private static final String OTHER_KEY = "sk-emu-2";
  /** 1100 tokens: above the 1024 minimum of claude-sonnet-4-5. */
  private static final String LONG = textOfTokens(1100, 's');

  private UpstreamEmulator emulator;
  private ApiCalls api;

  @BeforeEach
  void start(Vertx vertx) {
    emulator = UpstreamEmulator.start(vertx, new EmulatorOptions()
        .addAccount("acct-1", KEY)
        .addAccount("acct-2", OTHER_KEY)).await();
    api = new ApiCalls(emulator);
  }

  @AfterEach
  void stop() {
    emulator.close().await();
  }

  private static JsonObject withSystem(JsonArray system, JsonObject body) {
    return body.put("system", system);
  }

  private static JsonObject longSystemPrompt() {
    return withSystem(new JsonArray().add(marked(text(LONG))), request(new JsonArray().add(userSays("hi"))));
  }

  @Test
  void firstRequestWritesTheSystemPrefixAndTheSecondReadsIt() {
    JsonObject first = api.usage(KEY, longSystemPrompt());
    assertThat(first.getLong("cache_creation_input_tokens")).isEqualTo(1100);
    assertThat(first.getLong("cache_read_input_tokens")).isZero();
    assertThat(first.getJsonObject("cache_creation").getLong("ephemeral_5m_input_tokens")).isEqualTo(1100);
    // "hi" is one token, plus three for the message.
    assertThat(first.getLong("input_tokens")).isEqualTo(4);

    JsonObject second = api.usage(KEY, longSystemPrompt());
    assertThat(second.getLong("cache_read_input_tokens")).isEqualTo(1100);
    assertThat(second.getLong("cache_creation_input_tokens")).isZero();
    assertThat(second.getLong("input_tokens")).isEqualTo(4);
  }

  @Test
  void cachesAreSeparatePerAccountAndPerModel() {
    api.usage(KEY, longSystemPrompt());

    assertThat(api.usage(OTHER_KEY, longSystemPrompt()).getLong("cache_read_input_tokens")).isZero();
    JsonObject otherModel = longSystemPrompt().put("model", "claude-sonnet-4-20250514");
    assertThat(api.usage(KEY, otherModel).getLong("cache_read_input_tokens")).isZero();
    assertThat(api.usage(KEY, longSystemPrompt()).getLong("cache_read_input_tokens")).isEqualTo(1100);
  }

  @Test
  void aStringContentIsTheSameContentAsOneTextBlock() {
    JsonObject asBlock = request(new JsonArray().add(userSays(new JsonArray().add(marked(text(LONG))))));
    JsonObject written = api.usage(KEY, asBlock);
    long prefix = written.getLong("cache_creation_input_tokens");
    assertThat(prefix).isEqualTo(1103);

    // Next turn, as agent CLIs send it: the earlier content comes back as a plain string, the marker has moved on.
    JsonObject asString = request(new JsonArray()
        .add(userSays(LONG))
        .add(assistantSays("ok"))
        .add(userSays(new JsonArray().add(marked(text("and now?"))))));
    JsonObject next = api.usage(KEY, asString);
    assertThat(next.getLong("cache_read_input_tokens")).isEqualTo(prefix);
  }

  @Test
  void aMarkerMovingForwardOverTurnsReadsTheEarlierPrefix() {
    JsonArray conversation = new JsonArray().add(userSays(new JsonArray().add(marked(text(LONG)))));
    JsonObject turn1 = api.usage(KEY, request(conversation));

    conversation = new JsonArray()
        .add(userSays(LONG))
        .add(assistantSays(textOfTokens(100, 'a')))
        .add(userSays(new JsonArray().add(marked(text(textOfTokens(50, 'b'))))));
    JsonObject turn2 = api.usage(KEY, request(conversation));
    assertThat(turn2.getLong("cache_read_input_tokens")).isEqualTo(turn1.getLong("cache_creation_input_tokens"));
    assertThat(turn2.getLong("cache_creation_input_tokens")).isEqualTo(103 + 53);

    conversation = new JsonArray()
        .add(userSays(LONG))
        .add(assistantSays(textOfTokens(100, 'a')))
        .add(userSays(textOfTokens(50, 'b')))
        .add(assistantSays(textOfTokens(10, 'c')))
        .add(userSays(new JsonArray().add(marked(text(textOfTokens(10, 'd'))))));
    JsonObject turn3 = api.usage(KEY, request(conversation));
    assertThat(turn3.getLong("cache_read_input_tokens"))
        .isEqualTo(turn2.getLong("cache_read_input_tokens") + turn2.getLong("cache_creation_input_tokens"));
    assertThat(turn3.getLong("cache_creation_input_tokens")).isEqualTo(13 + 13);
  }

  /** A first request caching block 0, then a breakpoint {@code distance} blocks after it. */
  private JsonObject breakpointAtDistance(int distance) {
    api.usage(KEY, request(new JsonArray().add(userSays(new JsonArray().add(marked(text(LONG)))))));
    JsonArray blocks = new JsonArray().add(text(LONG));
    for (int i = 1; i < distance; i++) {
      blocks.add(text("filler " + i));
    }
    blocks.add(marked(text("question")));
    return api.usage(KEY, request(new JsonArray().add(userSays(blocks))));
  }

  @Test
  void aPrefixTwentyBlocksBeforeTheBreakpointIsFound() {
    assertThat(breakpointAtDistance(20).getLong("cache_read_input_tokens")).isEqualTo(1103);
  }

  @Test
  void aPrefixTwentyOneBlocksBeforeTheBreakpointIsNot() {
    JsonObject usage = breakpointAtDistance(21);
    assertThat(usage.getLong("cache_read_input_tokens")).isZero();
    assertThat(usage.getLong("cache_creation_input_tokens")).isGreaterThan(1103);
  }

  @Test
  void aPrefixBelowTheModelMinimumIsNotCachedAndNotAnError() {
    JsonObject small = withSystem(new JsonArray().add(marked(text(textOfTokens(1000, 's')))),
        request(new JsonArray().add(userSays("hi"))));
    for (int i = 0; i < 2; i++) {
      JsonObject usage = api.usage(KEY, small);
      assertThat(usage.getLong("cache_creation_input_tokens")).isZero();
      assertThat(usage.getLong("cache_read_input_tokens")).isZero();
      assertThat(usage.getLong("input_tokens")).isEqualTo(1004);
    }
    // Haiku 4.5 needs 4096 tokens: the 1100-token prompt that Sonnet caches is too short there.
    JsonObject haiku = longSystemPrompt().put("model", "claude-haiku-4-5-20251001");
    assertThat(api.usage(KEY, haiku).getLong("cache_creation_input_tokens")).isZero();
  }

  @Test
  void theMinimumCanBeOverriddenPerModelPrefix(Vertx vertx) {
    UpstreamEmulator lenient = UpstreamEmulator.start(vertx, new EmulatorOptions()
        .addAccount("acct-1", KEY)
        .setMinimumCacheableTokens("claude-sonnet", 500)).await();
    try {
      JsonObject small = withSystem(new JsonArray().add(marked(text(textOfTokens(600, 's')))),
          request(new JsonArray().add(userSays("hi"))));
      assertThat(new ApiCalls(lenient).usage(KEY, small).getLong("cache_creation_input_tokens")).isEqualTo(600);
    } finally {
      lenient.close().await();
    }
  }

  @Test
  void oneHourEntriesOutliveFiveMinuteOnesOnTheEmulatorClock() {
    JsonObject body = withSystem(new JsonArray()
            .add(markedOneHour(text(LONG)))
            .add(marked(text(textOfTokens(1200, 't')))),
        request(new JsonArray().add(userSays("hi"))));
    JsonObject written = api.usage(KEY, body);
    assertThat(written.getJsonObject("cache_creation").getLong("ephemeral_1h_input_tokens")).isEqualTo(1100);
    assertThat(written.getJsonObject("cache_creation").getLong("ephemeral_5m_input_tokens")).isEqualTo(1200);

    emulator.advanceClock(Duration.ofMinutes(4));
    assertThat(api.usage(KEY, body).getLong("cache_read_input_tokens")).isEqualTo(2300);

    // The read refreshed the 5-minute entry at minute 4: it now lives until minute 9.
    emulator.advanceClock(Duration.ofMinutes(5).plusSeconds(1));
    JsonObject afterFiveMinutes = api.usage(KEY, body);
    assertThat(afterFiveMinutes.getLong("cache_read_input_tokens")).isEqualTo(1100);
    assertThat(afterFiveMinutes.getJsonObject("cache_creation").getLong("ephemeral_5m_input_tokens"))
        .isEqualTo(1200);

    emulator.advanceClock(Duration.ofMinutes(61));
    JsonObject afterAnHour = api.usage(KEY, body);
    assertThat(afterAnHour.getLong("cache_read_input_tokens")).isZero();
    assertThat(afterAnHour.getLong("cache_creation_input_tokens")).isEqualTo(2300);
  }

  @Test
  void moreThanFourBreakpointsAreRejected() {
    JsonArray system = new JsonArray();
    for (int i = 0; i < 5; i++) {
      system.add(marked(text("part " + i)));
    }
    HttpResponse<String> response = api.messages(KEY, withSystem(system, request(new JsonArray().add(userSays("hi")))));
    assertThat(response.statusCode()).isEqualTo(400);
    JsonObject error = new JsonObject(response.body()).getJsonObject("error");
    assertThat(error.getString("type")).isEqualTo("invalid_request_error");
    assertThat(error.getString("message"))
        .isEqualTo("A maximum of 4 blocks with cache_control may be provided. Found 5.");
  }

  @Test
  void aOneHourBreakpointAfterAFiveMinuteOneIsRejected() {
    JsonObject body = withSystem(new JsonArray().add(marked(text("first"))).add(markedOneHour(text("second"))),
        request(new JsonArray().add(userSays("hi"))));
    HttpResponse<String> response = api.messages(KEY, body);
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(response.body()).getJsonObject("error").getString("message")).contains("ttl='1h'");
  }

  @Test
  void messageAndRequestLevelMarkersMarkTheLastBlock() {
    JsonObject messageMarker = request(new JsonArray().add(userSays(LONG)
        .put("cache_control", new JsonObject().put("type", "ephemeral"))));
    assertThat(api.usage(KEY, messageMarker).getLong("cache_creation_input_tokens")).isEqualTo(1103);

    JsonObject requestMarker = request(new JsonArray().add(userSays(LONG)).add(assistantSays("ok"))
        .add(userSays("more"))).put("cache_control", new JsonObject().put("type", "ephemeral"));
    JsonObject usage = api.usage(KEY, requestMarker);
    assertThat(usage.getLong("cache_read_input_tokens")).isEqualTo(1103);
    assertThat(usage.getLong("cache_creation_input_tokens")).isEqualTo(4 + 4);
  }

  @Test
  void concurrentIdenticalFirstRequestsAllWrite(Vertx vertx) {
    // With a first-token delay, neither request's entry exists before both were planned.
    UpstreamEmulator slow = UpstreamEmulator.start(vertx, new EmulatorOptions()
        .addAccount("acct-1", KEY)
        .setLatency(new LatencyModel(500, 0, 0, 0))).await();
    try {
      ApiCalls calls = new ApiCalls(slow);
      CompletableFuture<HttpResponse<String>> a = calls.messagesAsync(KEY, longSystemPrompt());
      CompletableFuture<HttpResponse<String>> b = calls.messagesAsync(KEY, longSystemPrompt());
      for (HttpResponse<String> response : List.of(a.join(), b.join())) {
        JsonObject usage = new JsonObject(response.body()).getJsonObject("usage");
        assertThat(usage.getLong("cache_creation_input_tokens")).isEqualTo(1100);
        assertThat(usage.getLong("cache_read_input_tokens")).isZero();
      }
      assertThat(calls.usage(KEY, longSystemPrompt()).getLong("cache_read_input_tokens")).isEqualTo(1100);
      assertThat(slow.counters("acct-1").cacheCreationInputTokens()).isEqualTo(2200);
    } finally {
      slow.close().await();
    }
  }
}
