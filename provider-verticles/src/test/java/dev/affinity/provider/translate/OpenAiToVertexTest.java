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
import static dev.affinity.provider.translate.PairFixture.data;
import static dev.affinity.provider.translate.PairFixture.headers;
import static dev.affinity.provider.translate.PairFixture.json;
import static dev.affinity.provider.translate.PairFixture.pieces;
import static dev.affinity.provider.translate.PairFixture.utf8;
import static org.assertj.core.api.Assertions.assertThat;

/** OpenAI client, Vertex AI upstream (Claude): a Messages request for rawPredict; chunks and OpenAI errors back. */
class OpenAiToVertexTest {

  private final Translator pair = Translators.of(ClientApi.OPENAI, ProviderKind.VERTEX, "sonnet");
  private final Deployment deployment = PairFixture.deployment("""
      model: vertex_ai/claude-sonnet-4-5@20250929
      vertex_project: proj-one
      vertex_location: us-east5""");

  private ProviderCall chatCall() {
    return PairFixture.call(Operation.CHAT_COMPLETIONS, deployment,
        pair.canonical(json(OpenAiToAnthropicTest.CHAT)).toString(), true);
  }

  @Test
  void theRequestIsAMessagesRequestWithVertexsVersion() {
    assertThat(pair).isInstanceOf(OpenAiToVertex.class);
    JsonNode sent = json(pair.requestBody(chatCall()));
    assertThat(sent.path("anthropic_version").asText()).isEqualTo("vertex-2023-10-16");
    assertThat(sent.at("/messages/0/content/0/text").asText()).isEqualTo("Hi");
  }

  @Test
  void aCompleteAnswerIsAChatCompletion() {
    Answer answer = pair.answer(chatCall(), 200, headers(), Buffer.buffer(ANTHROPIC_MESSAGE));
    assertThat(json(answer.body()).path("object").asText()).isEqualTo("chat.completion");
    assertThat(answer.usage().cacheReadInputTokens()).isEqualTo(4096);
  }

  @Test
  void theStreamBecomesOpenAiChunksWithUsageAtTheEnd() {
    StreamTranslation stream = pair.stream(chatCall());
    List<String> out = pieces(stream, utf8(ANTHROPIC_SSE), 23);
    List<JsonNode> chunks = data(String.join("", out));
    assertThat(chunks.get(chunks.size() - 2).at("/usage/prompt_tokens_details/cached_tokens").asLong())
        .isEqualTo(4096);
    assertThat(stream.usage()).isEqualTo(new TokenUsage(12, 0, 0, 0, 4096, 7));
  }

  @Test
  void googlesErrorsAreOpenAiErrors() {
    Answer answer = pair.answer(chatCall(), 403, headers(), Buffer.buffer(
        "{\"error\":{\"code\":403,\"message\":\"Permission denied\",\"status\":\"PERMISSION_DENIED\"}}"));
    assertThat(answer.statusFor(403)).isEqualTo(403);
    assertThat(json(answer.body()).at("/error/code").asText()).isEqualTo("permission_denied");
    assertThat(answer.errorType()).isEqualTo("permission_error");
  }
}
