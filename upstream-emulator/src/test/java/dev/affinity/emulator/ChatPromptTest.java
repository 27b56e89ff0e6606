package dev.affinity.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The token layout and prefix hashes OpenAI's cache keys on, and OpenAI's duration notation. */
class ChatPromptTest {

  private static JsonArray messages(JsonObject... messages) {
    JsonArray list = new JsonArray();
    for (JsonObject message : messages) {
      list.add(message);
    }
    return list;
  }

  private static JsonObject message(String role, Object content) {
    return new JsonObject().put("role", role).put("content", content);
  }

  private static List<String> hashes(ChatPrompt prompt) {
    List<String> hashes = new ArrayList<>();
    for (int i = 0; i < prompt.boundaryCount(); i++) {
      hashes.add(prompt.boundaryHash(i));
    }
    return hashes;
  }

  @Test
  void tokensFollowTheFormulaPieceByPiece() {
    JsonObject tool = new JsonObject().put("type", "function")
        .put("function", new JsonObject().put("name", "t"));
    JsonObject image = new JsonObject().put("type", "image_url")
        .put("image_url", new JsonObject().put("url", "https://x/y.png"));
    JsonArray calls = new JsonArray().add(new JsonObject().put("id", "call_1").put("type", "function")
        .put("function", new JsonObject().put("name", "t").put("arguments", "{}")));

    ChatPrompt prompt = ChatPrompt.of("gpt-4o", null, new JsonArray().add(tool), messages(
        message("user", new JsonArray().add(new JsonObject().put("type", "text").put("text", "hello")).add(image)),
        new JsonObject().put("role", "assistant").putNull("content").put("tool_calls", calls),
        new JsonObject().put("role", "tool").put("tool_call_id", "call_1").put("content", "12345678")));

    long expected = TokenCount.ofCanonicalJson(CanonicalJson.of(tool))
        + 3 + 2 + TokenCount.ofCanonicalJson(CanonicalJson.of(image))
        + 3 + TokenCount.ofCanonicalJson(CanonicalJson.of(calls))
        + 3 + 2;
    assertThat(prompt.totalTokens()).isEqualTo(expected);
    assertThat(prompt.boundaryCount()).isZero();
  }

  @Test
  void boundariesStartAtTheMinimumAndStepBy128() {
    // 3 + 1297 = 1300 tokens.
    ChatPrompt prompt = ChatPrompt.of("gpt-4o", null, null, messages(message("user", "u".repeat(1297 * 4))));

    assertThat(prompt.totalTokens()).isEqualTo(1300);
    assertThat(prompt.boundaryCount()).isEqualTo(3);
    assertThat(List.of(prompt.boundaryTokens(0), prompt.boundaryTokens(1), prompt.boundaryTokens(2)))
        .containsExactly(1024L, 1152L, 1280L);
    assertThat(hashes(prompt)).doesNotHaveDuplicates();
  }

  @Test
  void aStringAndASingleTextPartAreTheSamePromptAndKeyOrderDoesNotMatter() {
    String text = "w".repeat(1100 * 4);
    JsonObject tool = new JsonObject().put("type", "function").put("function", new JsonObject().put("name", "t"));
    JsonObject reordered = new JsonObject().put("function", new JsonObject().put("name", "t")).put("type", "function");

    ChatPrompt asString = ChatPrompt.of("gpt-4o", null, new JsonArray().add(tool),
        messages(message("user", text)));
    ChatPrompt asPart = ChatPrompt.of("gpt-4o", null, new JsonArray().add(reordered),
        messages(message("user", new JsonArray().add(new JsonObject().put("text", text).put("type", "text")))));

    assertThat(asPart.totalTokens()).isEqualTo(asString.totalTokens());
    assertThat(hashes(asPart)).isEqualTo(hashes(asString)).isNotEmpty();
    assertThat(asPart.fingerprint()).isEqualTo(asString.fingerprint());
  }

  @Test
  void theModelTheCacheKeyAndTheRoleAreInEveryHash() {
    JsonArray prompt = messages(message("user", "u".repeat(1100 * 4)));
    List<String> plain = hashes(ChatPrompt.of("gpt-4o", null, null, prompt));

    assertThat(hashes(ChatPrompt.of("gpt-4o-mini", null, null, prompt))).doesNotContainAnyElementsOf(plain);
    assertThat(hashes(ChatPrompt.of("gpt-4o", "k", null, prompt))).doesNotContainAnyElementsOf(plain);
    assertThat(hashes(ChatPrompt.of("gpt-4o", "", null, prompt))).doesNotContainAnyElementsOf(plain);
    assertThat(hashes(ChatPrompt.of("gpt-4o", null, null, messages(message("system", "u".repeat(1100 * 4))))))
        .doesNotContainAnyElementsOf(plain);
  }

  @Test
  void textOutsideThePrefixDoesNotChangeItsHash() {
    String head = "h".repeat(1030 * 4);
    ChatPrompt one = ChatPrompt.of("gpt-4o", null, null, messages(message("user", head + "a".repeat(600))));
    ChatPrompt two = ChatPrompt.of("gpt-4o", null, null, messages(message("user", head + "b".repeat(600))));

    // 3 + 1030 tokens of shared text: the 1024 boundary is shared, the 1152 one is not.
    assertThat(one.boundaryHash(0)).isEqualTo(two.boundaryHash(0));
    assertThat(one.boundaryHash(1)).isNotEqualTo(two.boundaryHash(1));
  }

  @Test
  void durationsAreWrittenTheWayOpenAiWritesThem() {
    assertThat(OpenAiRateLimits.duration(Duration.ZERO)).isEqualTo("0s");
    assertThat(OpenAiRateLimits.duration(Duration.ofNanos(14_200_000))).isEqualTo("15ms");
    assertThat(OpenAiRateLimits.duration(Duration.ofMillis(7_660))).isEqualTo("7.66s");
    assertThat(OpenAiRateLimits.duration(Duration.ofSeconds(20))).isEqualTo("20s");
    assertThat(OpenAiRateLimits.duration(Duration.ofMinutes(6))).isEqualTo("6m0s");
    assertThat(OpenAiRateLimits.duration(Duration.ofSeconds(3723))).isEqualTo("1h2m3s");
  }
}
