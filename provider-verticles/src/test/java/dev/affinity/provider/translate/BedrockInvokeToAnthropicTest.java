package dev.affinity.provider.translate;

import dev.affinity.model.ClientApi;
import dev.affinity.model.GatewayError;
import dev.affinity.model.Operation;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.TokenUsage;
import dev.affinity.model.config.ProviderKind;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import static dev.affinity.provider.translate.CloudPairs.MESSAGES;
import static dev.affinity.provider.translate.PairFixture.ANTHROPIC_MESSAGE;
import static dev.affinity.provider.translate.PairFixture.ANTHROPIC_SSE;
import static dev.affinity.provider.translate.PairFixture.call;
import static dev.affinity.provider.translate.PairFixture.headers;
import static dev.affinity.provider.translate.PairFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

/** Bedrock InvokeModel client, Anthropic upstream: Anthropic's events re-framed as Bedrock's, errors in Bedrock's shape. */
class BedrockInvokeToAnthropicTest {

  private final Translator pair = Translators.of(ClientApi.BEDROCK_INVOKE, ProviderKind.ANTHROPIC, "sonnet");
  private final ProviderCall call = call(Operation.INVOKE_MODEL, CloudPairs.ANTHROPIC, MESSAGES, false);

  @Test
  void theRegistryFindsThisPair() {
    assertThat(pair).isInstanceOf(BedrockInvokeToAnthropic.class);
  }

  @Test
  void theRequestIsWhatAnAnthropicClientsWouldBe() {
    assertThat(pair.canonical(call.request().json())).isSameAs(call.request().json());
    assertThat(pair.requestBody(call)).isEqualTo(new AnthropicToAnthropic().requestBody(call));
  }

  @Test
  void aCompleteAnswerIsClaudesMessageWithItsUsage() {
    Answer answer = pair.answer(call, 200, headers(), Buffer.buffer(ANTHROPIC_MESSAGE));
    assertThat(json(answer.body())).isEqualTo(json(ANTHROPIC_MESSAGE));
    assertThat(answer.statusFor(200)).isEqualTo(200);
    assertThat(answer.errorType()).isNull();
    assertThat(answer.usage()).isEqualTo(new TokenUsage(12, 100, 100, 0, 4096, 7));
  }

  private static final byte[] UPSTREAM = CloudPairs.anthropicSse();
  private static final int STATUS = 429;
  private static final String[] HEADERS = {};
  private static final String ERROR = "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"slow down\"}}";

  @Test
  void theStreamIsBedrocksEventStreamCutAnywhereWithTheUsageAtItsEnd() {
    for (int size : new int[] {1, 7, 1000}) {
      StreamTranslation stream = pair.stream(call);
      byte[] frames = CloudPairs.streamed(stream, UPSTREAM, size);
      assertThat(stream.contentType()).isEqualTo("application/vnd.amazon.eventstream");
      assertThat(CloudPairs.decoded(frames)).isEqualTo(ANTHROPIC_SSE.replace("\r", ""));
      assertThat(stream.usage()).isEqualTo(new TokenUsage(12, 0, 0, 0, 4096, 7));
    }
  }

  @Test
  void upstreamErrorsAreInBedrocksShape() {
    Answer answer = pair.answer(call, STATUS, headers(HEADERS), Buffer.buffer(ERROR));
    assertThat(answer.statusFor(STATUS)).isEqualTo(429);
    assertThat(json(answer.body()).path("message").asText()).contains("slow down");
    assertThat(json(answer.body()).has("type")).isFalse();
    assertThat(answer.errorType()).isEqualTo("rate_limit_error");
  }

  @Test
  void theGatewaysOwnErrorsAreInBedrocksShape() {
    assertThat(json(pair.error(GatewayError.notFound("no such model"))).path("message").asText())
        .isEqualTo("no such model");
  }
}
