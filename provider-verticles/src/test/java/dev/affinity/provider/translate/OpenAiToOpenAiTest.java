package dev.affinity.provider.translate;

import dev.affinity.model.ClientApi;
import dev.affinity.model.Operation;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.TokenUsage;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.ProviderKind;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.affinity.provider.translate.PairFixture.call;
import static dev.affinity.provider.translate.PairFixture.headers;
import static dev.affinity.provider.translate.PairFixture.pieces;
import static dev.affinity.provider.translate.PairFixture.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** OpenAI client, OpenAI-compatible upstream: a pass-through; usage (cached tokens a read) and errors are read. */
class OpenAiToOpenAiTest {

  static final String CHUNKS = """
      data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hel"}}],"usage":null}

      data: {"id":"c1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":3000,"completion_tokens":5,"prompt_tokens_details":{"cached_tokens":2048}}}

      data: [DONE]

      """;

  private final Translator pair = Translators.of(ClientApi.OPENAI, ProviderKind.OPENAI, "gpt");
  private final Deployment deployment = PairFixture.deployment("""
      model: openai/gpt-4o
      api_key: sk-test""");
  private final String body = """
      {"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"Hi"}]}""";

  @Test
  void theRegistryFindsThisPairAndCloudClientsAreToldWhereToGo() {
    assertThat(pair).isInstanceOf(OpenAiToOpenAi.class);
    assertThat(Translators.find(ClientApi.BEDROCK_INVOKE, ProviderKind.OPENAI)).isEmpty();
    Translators.NotServed refused = catchThrowableOfType(Translators.NotServed.class,
        () -> Translators.of(ClientApi.BEDROCK_INVOKE, ProviderKind.OPENAI, "gpt"));
    assertThat(refused.error().status()).isEqualTo(400);
    // both the APIs that reach these deployments are named
    assertThat(refused.error().message()).contains("'gpt'").contains("POST /v1/messages")
        .contains("POST /v1/chat/completions");
  }

  @Test
  void theRequestAndAnswerPassThrough() {
    ProviderCall call = call(Operation.CHAT_COMPLETIONS, deployment, body, false);
    assertThat(pair.canonical(call.request().json())).isSameAs(call.request().json());
    assertThat(pair.requestBody(call)).isSameAs(call.body());
    Buffer upstream = Buffer.buffer("{\"id\":\"c1\",\"object\":\"chat.completion\",\"choices\":[],\"usage\":"
        + "{\"prompt_tokens\":3000,\"completion_tokens\":5,\"prompt_tokens_details\":{\"cached_tokens\":2048}}}");
    Answer answer = pair.answer(call, 200, headers(), upstream);
    assertThat(answer.body()).isSameAs(upstream);
    assertThat(answer.contentType()).isNull();
    assertThat(answer.usage()).isEqualTo(new TokenUsage(952, 0, 0, 0, 2048, 5));
  }

  @Test
  void theStreamPassesChunkByChunkWithTheUsageChunkRead() {
    StreamTranslation stream = pair.stream(call(Operation.CHAT_COMPLETIONS, deployment, body, true));
    List<String> out = pieces(stream, utf8(CHUNKS), 10);
    assertThat(out.get(0)).isEqualTo(CHUNKS.substring(0, 10));
    assertThat(String.join("", out)).isEqualTo(CHUNKS);
    assertThat(stream.usage()).isEqualTo(new TokenUsage(952, 0, 0, 0, 2048, 5));
    assertThat(stream.errorType()).isNull();
  }

  @Test
  void upstreamErrorsPassUnmodified() {
    Buffer upstream = Buffer.buffer("{\"error\":{\"message\":\"slow down\",\"type\":\"requests\",\"code\":"
        + "\"rate_limit_exceeded\"}}");
    Answer answer = pair.answer(call(Operation.CHAT_COMPLETIONS, deployment, body, false), 429, headers(), upstream);
    assertThat(answer.body()).isSameAs(upstream);
    assertThat(answer.statusFor(429)).isEqualTo(429);
    assertThat(answer.errorType()).isEqualTo("requests");
  }
}
