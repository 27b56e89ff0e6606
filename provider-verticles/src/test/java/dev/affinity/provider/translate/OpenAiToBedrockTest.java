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
import static dev.affinity.provider.translate.PairFixture.BEDROCK_EVENTS;
import static dev.affinity.provider.translate.PairFixture.data;
import static dev.affinity.provider.translate.PairFixture.headers;
import static dev.affinity.provider.translate.PairFixture.json;
import static dev.affinity.provider.translate.PairFixture.pieces;
import static org.assertj.core.api.Assertions.assertThat;

/** OpenAI client, Bedrock upstream: a Messages request in InvokeModel's envelope; chunks from the event stream. */
class OpenAiToBedrockTest {

  private final Translator pair = Translators.of(ClientApi.OPENAI, ProviderKind.BEDROCK, "sonnet");
  private final Deployment deployment = PairFixture.deployment("""
      model: bedrock/%s
      aws_region_name: us-west-2""".formatted(AnthropicToBedrockTest.MODEL));

  private ProviderCall chatCall() {
    return PairFixture.call(Operation.CHAT_COMPLETIONS, deployment,
        pair.canonical(json(OpenAiToAnthropicTest.CHAT)).toString(), true);
  }

  @Test
  void theRequestIsAMessagesRequestInInvokeModelsEnvelope() {
    assertThat(pair).isInstanceOf(OpenAiToBedrock.class);
    JsonNode sent = json(pair.requestBody(chatCall()));
    assertThat(sent.path("anthropic_version").asText()).isEqualTo("bedrock-2023-05-31");
    assertThat(sent.at("/system/0/text").asText()).isEqualTo("Be brief.");
    assertThat(sent.has("model")).isFalse();
  }

  @Test
  void aCompleteAnswerIsAChatCompletion() {
    Answer answer = pair.answer(chatCall(), 200, headers(), Buffer.buffer(ANTHROPIC_MESSAGE));
    assertThat(json(answer.body()).at("/choices/0/message/content").asText()).isEqualTo("Hello");
    assertThat(answer.usage()).isEqualTo(new TokenUsage(12, 100, 100, 0, 4096, 7));
  }

  @Test
  void theEventStreamBecomesOpenAiChunksWithBedrocksUsageAtTheEnd() {
    byte[] frames = AnthropicToBedrockTest.eventStream(BEDROCK_EVENTS);
    StreamTranslation stream = pair.stream(chatCall());
    List<String> out = pieces(stream, frames, 17);
    List<JsonNode> chunks = data(String.join("", out));
    assertThat(chunks.get(0).at("/choices/0/delta/role").asText()).isEqualTo("assistant");
    assertThat(chunks).anySatisfy(chunk -> assertThat(chunk.at("/choices/0/delta/content").asText())
        .isEqualTo("Hello"));
    assertThat(chunks.get(chunks.size() - 2).at("/usage/completion_tokens").asLong()).isEqualTo(7);
    assertThat(chunks.get(chunks.size() - 1).asText()).isEqualTo("[DONE]");
    assertThat(stream.usage()).isEqualTo(new TokenUsage(12, 0, 0, 0, 4096, 8));
  }

  @Test
  void bedrocksErrorsAreOpenAiErrors() {
    Answer answer = pair.answer(chatCall(), 400, headers("x-amzn-errortype", "ValidationException"),
        Buffer.buffer("{\"message\":\"messages: too long\"}"));
    assertThat(answer.statusFor(400)).isEqualTo(400);
    assertThat(json(answer.body()).at("/error/type").asText()).isEqualTo("invalid_request_error");
    assertThat(json(answer.body()).at("/error/message").asText()).contains("messages: too long");
    assertThat(answer.errorType()).isEqualTo("invalid_request_error");
  }
}
