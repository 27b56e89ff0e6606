package dev.affinity.emulator;

import static dev.affinity.emulator.OpenAiCalls.chatRequest;
import static dev.affinity.emulator.OpenAiCalls.message;
import static dev.affinity.emulator.OpenAiCalls.textOfTokens;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * OpenAI's automatic prefix caching over HTTP, with numbers worked out from the token formula: a message costs 3
 * tokens of header plus its text at 4 characters a token; boundaries are 1024 + k × 128.
 */
@ExtendWith(VertxExtension.class)
class OpenAiPromptCachingTest {

  private static final String KEY = "sk-emu-1";
  private static final String OTHER_KEY = "sk-emu-2";
  /** System prompt of 1500 text tokens: with "hello", a 1508-token prompt (3 + 1500 + 3 + 2). */
  private static final String SYSTEM = textOfTokens(1500, 's');

  private UpstreamEmulator emulator;
  private OpenAiCalls api;

  @BeforeEach
  void start(Vertx vertx) {
    emulator = UpstreamEmulator.start(vertx, new EmulatorOptions()
        .addAccount("acct-1", KEY)
        .addAccount("acct-2", OTHER_KEY)).await();
    api = new OpenAiCalls(emulator);
  }

  @AfterEach
  void stop() {
    emulator.close().await();
  }

  private static JsonArray conversation() {
    return new JsonArray().add(message("system", SYSTEM)).add(message("user", "hello"));
  }

  private static JsonObject firstTurn() {
    return chatRequest(conversation());
  }

  @Test
  void aRepeatedPromptReadsItsLongestPrefixOn128TokenSteps() {
    JsonObject first = api.usage(KEY, firstTurn());
    assertThat(first.getLong("prompt_tokens")).isEqualTo(1508);
    assertThat(first.getJsonObject("prompt_tokens_details").getLong("cached_tokens")).isZero();

    JsonObject second = api.usage(KEY, firstTurn());

    // 1024 + 3 × 128 = 1408 ≤ 1508 < 1536.
    assertThat(second.getLong("prompt_tokens")).isEqualTo(1508);
    assertThat(second.getJsonObject("prompt_tokens_details").getLong("cached_tokens")).isEqualTo(1408);
    AccountCounters counters = emulator.counters("acct-1");
    assertThat(counters.openAiPromptTokens()).isEqualTo(2 * 1508);
    assertThat(counters.openAiCachedTokens()).isEqualTo(1408);
  }

  @Test
  void aPromptOfExactlyTheMinimumIsCachedWhole() {
    // 3 + 1016 + 3 + 2 = 1024.
    JsonObject body = chatRequest(new JsonArray().add(message("system", textOfTokens(1016, 'm')))
        .add(message("user", "hello")));
    assertThat(api.usage(KEY, body).getLong("prompt_tokens")).isEqualTo(1024);

    assertThat(api.cachedTokens(KEY, body)).isEqualTo(1024);
  }

  @Test
  void belowTheMinimumNothingIsCached() {
    // 3 + 1015 + 3 + 2 = 1023.
    JsonObject body = chatRequest(new JsonArray().add(message("system", textOfTokens(1015, 'm')))
        .add(message("user", "hello")));

    assertThat(api.cachedTokens(KEY, body)).isZero();
    assertThat(api.cachedTokens(KEY, body)).isZero();
  }

  @Test
  void aGrowingConversationReadsThePrefixThePreviousTurnCached() {
    api.usage(KEY, firstTurn());

    // + assistant (3 + 200) + user "more" (3 + 1) = 1715 tokens; the shared 1408-token prefix is read.
    JsonArray turn2 = conversation().add(message("assistant", textOfTokens(200, 'a'))).add(message("user", "more"));
    JsonObject second = api.usage(KEY, chatRequest(turn2));
    assertThat(second.getLong("prompt_tokens")).isEqualTo(1715);
    assertThat(second.getJsonObject("prompt_tokens_details").getLong("cached_tokens")).isEqualTo(1408);

    // Turn 2 cached up to 1664 (inside its assistant message); turn 3 starts with all of turn 2.
    JsonArray turn3 = turn2.copy().add(message("assistant", textOfTokens(200, 'b'))).add(message("user", "again"));
    assertThat(api.cachedTokens(KEY, chatRequest(turn3))).isEqualTo(1664);
  }

  @Test
  void aPromptThatDivergesInsideAMessageReadsTheTokensBeforeTheDivergence() {
    api.usage(KEY, firstTurn());

    // Same first 1200 system tokens (1203 with the header), then different text: boundaries up to 1152 match.
    String diverging = SYSTEM.substring(0, 1200 * 4) + textOfTokens(300, 'x');
    JsonObject body = chatRequest(new JsonArray().add(message("system", diverging)).add(message("user", "hello")));

    assertThat(api.cachedTokens(KEY, body)).isEqualTo(1152);
  }

  @Test
  void aPromptCacheKeyRoutesToItsOwnEntries() {
    assertThat(api.cachedTokens(KEY, firstTurn().put("prompt_cache_key", "user-a"))).isZero();
    assertThat(api.cachedTokens(KEY, firstTurn().put("prompt_cache_key", "user-a"))).isEqualTo(1408);

    assertThat(api.cachedTokens(KEY, firstTurn().put("prompt_cache_key", "user-b"))).isZero();
    assertThat(api.cachedTokens(KEY, firstTurn())).isZero();
    assertThat(api.cachedTokens(KEY, firstTurn().put("prompt_cache_key", "user-a"))).isEqualTo(1408);
  }

  @Test
  void cachesArePerAccountAndPerModel() {
    api.usage(KEY, firstTurn());

    assertThat(api.cachedTokens(OTHER_KEY, firstTurn())).isZero();
    assertThat(api.cachedTokens(KEY, firstTurn().put("model", "gpt-4o-mini"))).isZero();
    assertThat(api.cachedTokens(KEY, firstTurn())).isEqualTo(1408);
  }

  @Test
  void toolsArePartOfThePrefix() {
    JsonObject tool = new JsonObject().put("type", "function").put("function", new JsonObject()
        .put("name", "lookup").put("parameters", new JsonObject().put("type", "object")));
    JsonObject withTool = firstTurn().put("tools", new JsonArray().add(tool));
    api.usage(KEY, withTool);

    assertThat(api.cachedTokens(KEY, firstTurn())).isZero();
    assertThat(api.cachedTokens(KEY, withTool)).isPositive();
  }

  @Test
  void inMemoryEntriesLiveTenMinutesFromTheirLastUse() {
    api.usage(KEY, firstTurn());

    emulator.advanceClock(Duration.ofMinutes(9));
    assertThat(api.cachedTokens(KEY, firstTurn())).isEqualTo(1408);
    emulator.advanceClock(Duration.ofMinutes(9));
    assertThat(api.cachedTokens(KEY, firstTurn())).isEqualTo(1408);

    emulator.advanceClock(Duration.ofMinutes(10).plusSeconds(1));
    assertThat(api.cachedTokens(KEY, firstTurn())).isZero();
  }

  @Test
  void extendedRetentionKeepsEntriesForADay() {
    JsonObject extended = firstTurn().put("prompt_cache_retention", "24h");
    api.usage(KEY, extended);

    emulator.advanceClock(Duration.ofHours(2));
    // An in-memory request still finds the 24-hour entry, and does not shorten it.
    assertThat(api.cachedTokens(KEY, firstTurn())).isEqualTo(1408);
    emulator.advanceClock(Duration.ofHours(23));
    assertThat(api.cachedTokens(KEY, extended)).isEqualTo(1408);

    emulator.advanceClock(Duration.ofHours(24).plusSeconds(1));
    assertThat(api.cachedTokens(KEY, extended)).isZero();
  }

  @Test
  void streamedAnswersReadAndWriteTheCacheToo() {
    JsonObject streamed = firstTurn().put("stream", true)
        .put("stream_options", new JsonObject().put("include_usage", true));
    assertThat(api.chat(KEY, streamed).statusCode()).isEqualTo(200);

    String body = api.chat(KEY, streamed).body();
    var data = OpenAiCalls.dataLines(body);
    JsonObject usage = new JsonObject(data.get(data.size() - 2)).getJsonObject("usage");
    assertThat(usage.getJsonObject("prompt_tokens_details").getLong("cached_tokens")).isEqualTo(1408);
  }

  @Test
  void theAnthropicCacheOfTheSameAccountIsSeparate() {
    api.usage(KEY, firstTurn());
    ApiCalls anthropic = new ApiCalls(emulator);
    JsonObject messages = ApiCalls.request(new JsonArray().add(ApiCalls.userSays("hello")))
        .put("system", new JsonArray().add(ApiCalls.marked(ApiCalls.text(SYSTEM))));

    JsonObject usage = anthropic.usage(KEY, messages);

    assertThat(usage.getLong("cache_read_input_tokens")).isZero();
    assertThat(usage.getLong("cache_creation_input_tokens")).isEqualTo(1500);
    assertThat(api.cachedTokens(KEY, firstTurn())).isEqualTo(1408);
  }
}
