package dev.affinity.provider.translate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.affinity.model.ClientApi;
import dev.affinity.model.Operation;
import dev.affinity.model.TokenUsage;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.ProviderKind;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import static dev.affinity.provider.translate.PairFixture.GEMINI_ANSWER;
import static dev.affinity.provider.translate.PairFixture.GEMINI_SSE;
import static dev.affinity.provider.translate.PairFixture.call;
import static dev.affinity.provider.translate.PairFixture.data;
import static dev.affinity.provider.translate.PairFixture.headers;
import static dev.affinity.provider.translate.PairFixture.json;
import static dev.affinity.provider.translate.PairFixture.pieces;
import static dev.affinity.provider.translate.PairFixture.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Anthropic client, Gemini API upstream: generateContent out, Anthropic messages and events back. */
class AnthropicToGeminiTest {

  private final Translator pair = Translators.of(ClientApi.ANTHROPIC, ProviderKind.GEMINI, "sonnet");
  private final Deployment deployment = PairFixture.deployment("""
      model: gemini/gemini-2.5-flash
      api_key: gm-test""");
  private final String body = """
      {"model":"gemini-2.5-flash","max_tokens":64,"stream":true,"system":"Be brief.",
       "messages":[{"role":"user","content":"Hi"}]}""";

  @Test
  void theRegistryFindsThisPair() {
    assertThat(pair).isInstanceOf(AnthropicToGemini.class);
  }

  @Test
  void theRequestIsAGenerateContentBodyAndATokenCountNamesItsModel() {
    JsonNode sent = json(pair.requestBody(call(Operation.MESSAGES, deployment, body, false)));
    assertThat(sent.at("/contents/0/parts/0/text").asText()).isEqualTo("Hi");
    assertThat(sent.at("/generationConfig/maxOutputTokens").asInt()).isEqualTo(64);

    JsonNode count = json(pair.requestBody(call(Operation.COUNT_TOKENS, deployment, body, false)));
    assertThat(count.at("/generateContentRequest/model").asText()).isEqualTo("models/gemini-2.5-flash");
    assertThat(count.at("/generateContentRequest/generationConfig").isMissingNode()).isTrue();
  }

  @Test
  void aRequestWithoutMessagesIsTheClientsMistake() {
    assertThatThrownBy(() -> pair.requestBody(call(Operation.MESSAGES, deployment, "{\"model\":\"g\"}", false)))
        .isInstanceOf(TranslationException.class).hasMessageContaining("messages");
  }

  @Test
  void aCompleteAnswerIsAnAnthropicMessageWithTheCachedPartARead() {
    Answer answer = pair.answer(call(Operation.MESSAGES, deployment, body, false), 200, headers(),
        Buffer.buffer(GEMINI_ANSWER));
    assertThat(json(answer.body()).at("/content/0/text").asText()).isEqualTo("Hello");
    assertThat(json(answer.body()).path("model").asText()).isEqualTo("sonnet");
    assertThat(answer.usage()).isEqualTo(new TokenUsage(952, 0, 0, 0, 2048, 5));
    assertThat(answer.contentType()).isEqualTo(Answer.JSON);
  }

  @Test
  void theStreamBecomesAnthropicsEventsChunkByChunkWithUsageAtItsEnd() {
    StreamTranslation stream = pair.stream(call(Operation.MESSAGES, deployment, body, false));
    var out = pieces(stream, utf8(GEMINI_SSE), 9);
    assertThat(out.get(0)).isEmpty(); // no Gemini line is whole in the first 9 bytes
    assertThat(data(String.join("", out))).extracting(event -> event.path("type").asText())
        .contains("message_start", "content_block_delta").endsWith("message_stop");
    assertThat(stream.usage()).isEqualTo(new TokenUsage(952, 0, 0, 0, 2048, 5));
    assertThat(stream.errorType()).isNull();
  }

  @Test
  void googlesErrorsAreAnthropicErrorsThatNeverNameTheKey() {
    Answer answer = pair.answer(call(Operation.MESSAGES, deployment, body, false), 400, headers(), Buffer.buffer(
        "{\"error\":{\"code\":400,\"message\":\"API key not valid.\",\"status\":\"INVALID_ARGUMENT\"}}"));
    assertThat(answer.statusFor(400)).isEqualTo(401);
    assertThat(answer.errorType()).isEqualTo("authentication_error");
    assertThat(answer.body().toString()).doesNotContain("gm-test");
  }
}
