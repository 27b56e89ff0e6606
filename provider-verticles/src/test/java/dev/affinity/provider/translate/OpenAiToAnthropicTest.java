package dev.affinity.provider.translate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.affinity.model.ClientApi;
import dev.affinity.model.GatewayError;
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
import static dev.affinity.provider.translate.PairFixture.whole;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** OpenAI client, Anthropic upstream: Chat Completions in, Messages upstream, chat completions and chunks back. */
class OpenAiToAnthropicTest {

  static final String CHAT = """
      {"model":"sonnet","max_tokens":64,"stream":true,"stream_options":{"include_usage":true},
       "messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}]}""";

  private final Translator pair = Translators.of(ClientApi.OPENAI, ProviderKind.ANTHROPIC, "sonnet");
  private final Deployment deployment = PairFixture.deployment("""
      model: anthropic/claude-sonnet-4-5
      api_key: sk-test""");

  /** The call the router makes: the canonical (Messages) body, for a client that asked for usage in its stream. */
  private ProviderCall chatCall() {
    return PairFixture.call(Operation.CHAT_COMPLETIONS, deployment, pair.canonical(json(CHAT)).toString(), true);
  }

  @Test
  void theRegistryFindsThisPair() {
    assertThat(pair).isInstanceOf(OpenAiToAnthropic.class);
    assertThat(pair.client()).isEqualTo(ClientApi.OPENAI);
    assertThat(pair.upstream()).isEqualTo(ProviderKind.ANTHROPIC);
  }

  @Test
  void theCanonicalFormIsAMessagesRequestAndGoesUpstreamAsItIs() {
    JsonNode messages = pair.canonical(json(CHAT));
    assertThat(messages.at("/system/0/text").asText()).isEqualTo("Be brief.");
    assertThat(messages.at("/messages/0/role").asText()).isEqualTo("user");
    assertThat(messages.at("/messages/0/content/0/text").asText()).isEqualTo("Hi");
    assertThat(messages.path("max_tokens").asInt()).isEqualTo(64);
    assertThat(messages.path("stream").asBoolean()).isTrue();
    ProviderCall call = chatCall();
    assertThat(pair.requestBody(call)).isSameAs(call.body());
  }

  @Test
  void aRequestWithNoAnthropicFormIsTheClientsMistake() {
    assertThatThrownBy(() -> pair.canonical(json("""
        {"model":"sonnet","n":3,"messages":[{"role":"user","content":"Hi"}]}""")))
        .isInstanceOf(TranslationException.class);
  }

  @Test
  void aCompleteAnswerBecomesAChatCompletionWithTheUsageRead() {
    Answer answer = pair.answer(chatCall(), 200, headers(), Buffer.buffer(ANTHROPIC_MESSAGE));
    JsonNode completion = json(answer.body());
    assertThat(completion.path("object").asText()).isEqualTo("chat.completion");
    assertThat(completion.path("model").asText()).isEqualTo("sonnet");
    assertThat(completion.at("/choices/0/message/content").asText()).isEqualTo("Hello");
    assertThat(completion.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    assertThat(completion.at("/usage/prompt_tokens").asLong()).isEqualTo(12 + 100 + 4096);
    assertThat(completion.at("/usage/prompt_tokens_details/cached_tokens").asLong()).isEqualTo(4096);
    assertThat(answer.contentType()).isEqualTo(Answer.JSON);
    assertThat(answer.statusFor(200)).isEqualTo(200);
    assertThat(answer.usage()).isEqualTo(new TokenUsage(12, 100, 100, 0, 4096, 7));
  }

  @Test
  void theStreamBecomesOpenAiChunksWhateverTheCutsWithUsageAtTheEnd() {
    String atOnce = undated(whole(pair.stream(chatCall()), utf8(ANTHROPIC_SSE), Integer.MAX_VALUE));
    for (int size : new int[] {1, 3, 17, 64}) {
      StreamTranslation stream = pair.stream(chatCall());
      assertThat(undated(whole(stream, utf8(ANTHROPIC_SSE), size))).isEqualTo(atOnce);
      assertThat(stream.usage()).isEqualTo(new TokenUsage(12, 0, 0, 0, 4096, 7));
      assertThat(stream.errorType()).isNull();
    }
    List<JsonNode> chunks = data(atOnce);
    assertThat(chunks.get(0).at("/choices/0/delta/role").asText()).isEqualTo("assistant");
    assertThat(chunks).extracting(chunk -> chunk.at("/choices/0/delta/content").asText(""))
        .containsSubsequence("Hel", "lo");
    JsonNode usage = chunks.get(chunks.size() - 2);
    assertThat(usage.path("choices")).isEmpty();
    assertThat(usage.at("/usage/prompt_tokens").asLong()).isEqualTo(12 + 4096);
    assertThat(usage.at("/usage/completion_tokens").asLong()).isEqualTo(7);
    assertThat(chunks.get(chunks.size() - 1).asText()).isEqualTo("[DONE]");
  }

  /** Chunks carry the second they were made in; two runs may straddle one. */
  static String undated(String chunks) {
    return chunks.replaceAll("\"created\":\\d+", "\"created\":0");
  }

  @Test
  void chunksGoOutAsTheirEventsComplete() {
    StreamTranslation stream = pair.stream(chatCall());
    List<String> out = pieces(stream, utf8(ANTHROPIC_SSE), 40);
    // nothing before message_start is whole; text deltas follow in their own pieces; [DONE] comes at the end
    assertThat(out.get(0)).isEmpty();
    assertThat(out.stream().filter(piece -> piece.contains("\"content\":\"Hel\""))).hasSize(1);
    assertThat(out.get(out.size() - 1)).doesNotContain("[DONE]");
    assertThat(String.join("", out)).endsWith("data: [DONE]\n\n");
  }

  @Test
  void upstreamErrorsAreInOpenAisShape() {
    Answer answer = pair.answer(chatCall(), 429, headers(), Buffer.buffer(
        "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"slow down\"}}"));
    JsonNode error = json(answer.body()).path("error");
    assertThat(error.path("message").asText()).isEqualTo("slow down");
    assertThat(error.path("code").asText()).isEqualTo("rate_limit_exceeded");
    assertThat(answer.statusFor(429)).isEqualTo(429);
    assertThat(answer.errorType()).isEqualTo("rate_limit_error");

    StreamTranslation stream = pair.stream(chatCall());
    String sse = whole(stream, utf8("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":"
        + "\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n"), 9);
    assertThat(data(sse)).singleElement().satisfies(frame ->
        assertThat(frame.at("/error/code").asText()).isEqualTo("overloaded"));
    assertThat(stream.errorType()).isEqualTo("overloaded_error");
  }

  @Test
  void theGatewaysOwnErrorsAreInOpenAisShape() {
    assertThat(json(pair.error(GatewayError.invalidRequest("no"))).at("/error/type").asText())
        .isEqualTo("invalid_request_error");
  }
}
