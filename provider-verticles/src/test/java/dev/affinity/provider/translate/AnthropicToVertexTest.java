package dev.affinity.provider.translate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.affinity.model.ClientApi;
import dev.affinity.model.Operation;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.TokenUsage;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.ProviderKind;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.affinity.provider.translate.PairFixture.ANTHROPIC_MESSAGE;
import static dev.affinity.provider.translate.PairFixture.ANTHROPIC_SSE;
import static dev.affinity.provider.translate.PairFixture.GEMINI_ANSWER;
import static dev.affinity.provider.translate.PairFixture.GEMINI_SSE;
import static dev.affinity.provider.translate.PairFixture.call;
import static dev.affinity.provider.translate.PairFixture.data;
import static dev.affinity.provider.translate.PairFixture.headers;
import static dev.affinity.provider.translate.PairFixture.json;
import static dev.affinity.provider.translate.PairFixture.pieces;
import static dev.affinity.provider.translate.PairFixture.utf8;
import static dev.affinity.provider.translate.PairFixture.whole;
import static org.assertj.core.api.Assertions.assertThat;

/** Anthropic client, Vertex AI upstream: Claude by rawPredict, Gemini models there through Gemini's API. */
class AnthropicToVertexTest {

  private final Translator pair = Translators.of(ClientApi.ANTHROPIC, ProviderKind.VERTEX, "sonnet");
  private final Deployment claude = PairFixture.deployment("""
      model: vertex_ai/claude-sonnet-4-5@20250929
      vertex_project: proj-one
      vertex_location: us-east5""");
  private final Deployment gemini = PairFixture.deployment("""
      model: vertex_ai/gemini-2.5-flash
      vertex_project: proj-one
      vertex_location: us-central1""");
  private final String body = """
      {"model":"claude-sonnet-4-5@20250929","max_tokens":64,"stream":true,
       "system":"Be brief.","messages":[{"role":"user","content":"Hi"}]}""";

  @Test
  void theRegistryFindsThisPair() {
    assertThat(pair).isInstanceOf(AnthropicToVertex.class);
  }

  @Test
  void claudeTakesTheMessagesBodyWithVertexsVersionAndTheModelInThePath() {
    JsonNode sent = json(pair.requestBody(call(Operation.MESSAGES, claude, body, false)));
    assertThat(sent.path("anthropic_version").asText()).isEqualTo("vertex-2023-10-16");
    assertThat(sent.has("model")).isFalse();
    assertThat(sent.path("stream").asBoolean()).isTrue();
    assertThat(sent.at("/messages/0/content").asText()).isEqualTo("Hi");
  }

  @Test
  void geminiTakesAGenerateContentBody() {
    JsonNode sent = json(pair.requestBody(call(Operation.MESSAGES, gemini, body, false)));
    assertThat(sent.at("/contents/0/parts/0/text").asText()).isEqualTo("Hi");
    assertThat(sent.at("/systemInstruction/parts/0/text").asText()).isEqualTo("Be brief.");
  }

  @Test
  void completeAnswersAreAnthropicMessagesWithTheirUsage() {
    Answer fromClaude = pair.answer(call(Operation.MESSAGES, claude, body, false), 200, headers(),
        Buffer.buffer(ANTHROPIC_MESSAGE));
    assertThat(json(fromClaude.body())).isEqualTo(json(ANTHROPIC_MESSAGE));
    assertThat(fromClaude.usage()).isEqualTo(new TokenUsage(12, 100, 100, 0, 4096, 7));

    Answer fromGemini = pair.answer(call(Operation.MESSAGES, gemini, body, false), 200, headers(),
        Buffer.buffer(GEMINI_ANSWER));
    assertThat(json(fromGemini.body()).at("/content/0/text").asText()).isEqualTo("Hello");
    assertThat(json(fromGemini.body()).path("stop_reason").asText()).isEqualTo("end_turn");
    assertThat(fromGemini.usage()).isEqualTo(new TokenUsage(952, 0, 0, 0, 2048, 5));
  }

  @Test
  void claudesStreamPassesAsItCameWithItsUsage() {
    StreamTranslation stream = pair.stream(call(Operation.MESSAGES, claude, body, false));
    assertThat(whole(stream, utf8(ANTHROPIC_SSE), 13)).isEqualTo(ANTHROPIC_SSE);
    assertThat(stream.usage()).isEqualTo(new TokenUsage(12, 0, 0, 0, 4096, 7));
  }

  @Test
  void geminisStreamBecomesAnthropicsEventsWhereverItIsCut() {
    String atOnce = whole(pair.stream(call(Operation.MESSAGES, gemini, body, false)), utf8(GEMINI_SSE),
        Integer.MAX_VALUE);
    assertThat(data(atOnce)).extracting(event -> event.path("type").asText()).startsWith("message_start")
        .endsWith("message_delta", "message_stop");
    for (int size : new int[] {1, 7, 50}) {
      StreamTranslation stream = pair.stream(call(Operation.MESSAGES, gemini, body, false));
      List<String> out = pieces(stream, utf8(GEMINI_SSE), size);
      assertThat(data(String.join("", out))).extracting(event -> event.path("type").asText())
          .isEqualTo(data(atOnce).stream().map(event -> event.path("type").asText()).toList());
      assertThat(stream.usage()).isEqualTo(new TokenUsage(952, 0, 0, 0, 2048, 5));
    }
  }

  @Test
  void googlesErrorsAreAnthropicErrors() {
    Answer answer = pair.answer(call(Operation.MESSAGES, claude, body, false), 429, headers(), Buffer.buffer(
        "{\"error\":{\"code\":429,\"message\":\"Quota exceeded\",\"status\":\"RESOURCE_EXHAUSTED\"}}"));
    assertThat(answer.statusFor(429)).isEqualTo(429);
    assertThat(answer.errorType()).isEqualTo("rate_limit_error");
    assertThat(json(answer.body()).at("/error/type").asText()).isEqualTo("rate_limit_error");
    assertThat(answer.contentType()).isEqualTo(Answer.JSON);

    Answer html = pair.answer(call(Operation.MESSAGES, claude, body, false), 502, headers(),
        Buffer.buffer("<html>Bad gateway</html>"));
    assertThat(json(html.body()).path("type").asText()).isEqualTo("error");
  }
}
