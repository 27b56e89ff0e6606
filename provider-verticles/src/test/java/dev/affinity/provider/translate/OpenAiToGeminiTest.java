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

import static dev.affinity.provider.translate.PairFixture.GEMINI_ANSWER;
import static dev.affinity.provider.translate.PairFixture.GEMINI_SSE;
import static dev.affinity.provider.translate.PairFixture.data;
import static dev.affinity.provider.translate.PairFixture.headers;
import static dev.affinity.provider.translate.PairFixture.json;
import static dev.affinity.provider.translate.PairFixture.pieces;
import static dev.affinity.provider.translate.PairFixture.utf8;
import static org.assertj.core.api.Assertions.assertThat;

/** OpenAI client, Gemini API upstream: through the Messages form both ways. */
class OpenAiToGeminiTest {

  private final Translator pair = Translators.of(ClientApi.OPENAI, ProviderKind.GEMINI, "flash");
  private final Deployment deployment = PairFixture.deployment("""
      model: gemini/gemini-2.5-flash
      api_key: gm-test""");

  private ProviderCall chatCall() {
    return PairFixture.call(Operation.CHAT_COMPLETIONS, deployment,
        pair.canonical(json(OpenAiToAnthropicTest.CHAT)).toString(), true);
  }

  @Test
  void theRequestIsAGenerateContentBody() {
    assertThat(pair).isInstanceOf(OpenAiToGemini.class);
    JsonNode sent = json(pair.requestBody(chatCall()));
    assertThat(sent.at("/systemInstruction/parts/0/text").asText()).isEqualTo("Be brief.");
    assertThat(sent.at("/contents/0/parts/0/text").asText()).isEqualTo("Hi");
  }

  @Test
  void aCompleteAnswerIsAChatCompletion() {
    Answer answer = pair.answer(chatCall(), 200, headers(), Buffer.buffer(GEMINI_ANSWER));
    assertThat(json(answer.body()).at("/choices/0/message/content").asText()).isEqualTo("Hello");
    assertThat(json(answer.body()).at("/usage/prompt_tokens_details/cached_tokens").asLong()).isEqualTo(2048);
    assertThat(answer.usage()).isEqualTo(new TokenUsage(952, 0, 0, 0, 2048, 5));
  }

  @Test
  void theStreamBecomesOpenAiChunksWhereverItIsCut() {
    StreamTranslation stream = pair.stream(chatCall());
    List<String> out = pieces(stream, utf8(GEMINI_SSE), 3);
    List<JsonNode> chunks = data(String.join("", out));
    assertThat(chunks).extracting(chunk -> chunk.at("/choices/0/delta/content").asText(""))
        .containsSubsequence("Hel", "lo");
    assertThat(chunks.get(chunks.size() - 1).asText()).isEqualTo("[DONE]");
    assertThat(stream.usage()).isEqualTo(new TokenUsage(952, 0, 0, 0, 2048, 5));
  }

  @Test
  void geminisErrorsAreOpenAiErrors() {
    Answer answer = pair.answer(chatCall(), 429, headers(), Buffer.buffer(
        "{\"error\":{\"code\":429,\"message\":\"Quota exceeded\",\"status\":\"RESOURCE_EXHAUSTED\"}}"));
    assertThat(answer.statusFor(429)).isEqualTo(429);
    assertThat(json(answer.body()).at("/error/code").asText()).isEqualTo("rate_limit_exceeded");
    assertThat(answer.errorType()).isEqualTo("rate_limit_error");
  }
}
