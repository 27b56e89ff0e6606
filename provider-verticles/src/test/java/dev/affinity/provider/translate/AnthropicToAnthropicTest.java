package dev.affinity.provider.translate;

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
import static dev.affinity.provider.translate.PairFixture.call;
import static dev.affinity.provider.translate.PairFixture.headers;
import static dev.affinity.provider.translate.PairFixture.json;
import static dev.affinity.provider.translate.PairFixture.pieces;
import static dev.affinity.provider.translate.PairFixture.utf8;
import static org.assertj.core.api.Assertions.assertThat;

/** Anthropic client, Anthropic upstream: everything passes through byte for byte; usage and errors are read. */
class AnthropicToAnthropicTest {

  private final Translator pair = Translators.of(ClientApi.ANTHROPIC, ProviderKind.ANTHROPIC, "sonnet");
  private final Deployment deployment = PairFixture.deployment("""
      model: anthropic/claude-sonnet-4-5
      api_key: sk-test""");
  private final String body = """
      {"model":"claude-sonnet-4-5","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"Hi"}]}""";

  @Test
  void theRegistryFindsThisPair() {
    assertThat(pair).isInstanceOf(AnthropicToAnthropic.class);
  }

  @Test
  void theRequestGoesAsTheRouterMadeIt() {
    ProviderCall call = call(Operation.MESSAGES, deployment, body, false);
    assertThat(pair.canonical(call.request().json())).isSameAs(call.request().json());
    assertThat(pair.requestBody(call)).isSameAs(call.body());
  }

  @Test
  void aCompleteAnswerIsRelayedWithItsUsage() {
    Buffer upstream = Buffer.buffer(ANTHROPIC_MESSAGE);
    Answer answer = pair.answer(call(Operation.MESSAGES, deployment, body, false), 200, headers(), upstream);
    assertThat(answer.body()).isSameAs(upstream);
    assertThat(answer.statusFor(200)).isEqualTo(200);
    assertThat(answer.contentType()).isNull();
    assertThat(answer.errorType()).isNull();
    assertThat(answer.usage()).isEqualTo(new TokenUsage(12, 100, 100, 0, 4096, 7));
  }

  @Test
  void theStreamPassesUnchangedChunkByChunkWithTheUsageAtItsEnd() {
    StreamTranslation stream = pair.stream(call(Operation.MESSAGES, deployment, body, false));
    List<String> out = pieces(stream, utf8(ANTHROPIC_SSE), 7);
    // every piece goes on as it came, however the network cut the events, and nothing is added at the end
    for (int i = 0; i < out.size() - 1; i++) {
      assertThat(out.get(i)).isEqualTo(ANTHROPIC_SSE.substring(i * 7, Math.min(ANTHROPIC_SSE.length(), i * 7 + 7)));
    }
    assertThat(out.get(out.size() - 1)).isEmpty();
    assertThat(stream.usage()).isEqualTo(new TokenUsage(12, 0, 0, 0, 4096, 7));
    assertThat(stream.errorType()).isNull();
    assertThat(stream.contentType()).isNull();
  }

  @Test
  void anErrorInTheStreamIsReadAndPassedOn() {
    String sse = "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
        + "\"message\":\"Overloaded\"}}\n\n";
    StreamTranslation stream = pair.stream(call(Operation.MESSAGES, deployment, body, false));
    assertThat(String.join("", pieces(stream, utf8(sse), 5))).isEqualTo(sse);
    assertThat(stream.errorType()).isEqualTo("overloaded_error");
  }

  @Test
  void upstreamErrorBodiesReachTheClientUnmodified() {
    Buffer upstream = Buffer.buffer("{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"slow "
        + "down\"},\"request_id\":\"req_011\"}");
    Answer answer = pair.answer(call(Operation.MESSAGES, deployment, body, false), 429, headers(), upstream);
    assertThat(answer.body()).isSameAs(upstream);
    assertThat(answer.statusFor(429)).isEqualTo(429);
    assertThat(answer.errorType()).isEqualTo("rate_limit_error");

    Answer html = pair.answer(call(Operation.MESSAGES, deployment, body, false), 502, headers(),
        Buffer.buffer("<html>Bad gateway</html>"));
    assertThat(html.body().toString()).isEqualTo("<html>Bad gateway</html>");
    assertThat(html.errorType()).isEqualTo("api_error");
  }

  @Test
  void theGatewaysOwnErrorsAreInAnthropicsShape() {
    assertThat(json(pair.error(GatewayError.upstreamTimeout("too slow"))).at("/error/type")
        .asText()).isEqualTo("timeout_error");
  }
}
