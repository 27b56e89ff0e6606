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

/** Bedrock InvokeModel client, Bedrock upstream: the same API, so frames and errors pass as Bedrock sent them. */
class BedrockInvokeToBedrockTest {

  private final Translator pair = Translators.of(ClientApi.BEDROCK_INVOKE, ProviderKind.BEDROCK, "sonnet");
  private final ProviderCall call = call(Operation.INVOKE_MODEL, CloudPairs.BEDROCK, MESSAGES, false);

  @Test
  void theRegistryFindsThisPair() {
    assertThat(pair).isInstanceOf(BedrockInvokeToBedrock.class);
  }

  @Test
  void theRequestIsWhatAnAnthropicClientsWouldBe() {
    assertThat(pair.canonical(call.request().json())).isSameAs(call.request().json());
    assertThat(pair.requestBody(call)).isEqualTo(new AnthropicToBedrock().requestBody(call));
  }

  @Test
  void aCompleteAnswerIsClaudesMessageWithItsUsage() {
    Answer answer = pair.answer(call, 200, headers(), Buffer.buffer(ANTHROPIC_MESSAGE));
    assertThat(json(answer.body())).isEqualTo(json(ANTHROPIC_MESSAGE));
    assertThat(answer.statusFor(200)).isEqualTo(200);
    assertThat(answer.errorType()).isNull();
    assertThat(answer.usage()).isEqualTo(new TokenUsage(12, 100, 100, 0, 4096, 7));
  }

  private static final byte[] UPSTREAM = CloudPairs.bedrockFrames();
  private static final int STATUS = 429;
  private static final String[] HEADERS = {"x-amzn-errortype", "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/"};
  private static final String ERROR = "{\"message\":\"slow down\"}";

  @Test
  void theFramesPassAsBedrockSentThemWithTheUsageAtTheirEnd() {
    StreamTranslation stream = pair.stream(call);
    assertThat(CloudPairs.streamed(stream, UPSTREAM, 7)).isEqualTo(UPSTREAM);
    assertThat(stream.contentType()).isEqualTo("application/vnd.amazon.eventstream");
    assertThat(stream.usage()).isEqualTo(new TokenUsage(12, 0, 0, 0, 4096, 7));
  }

  @Test
  void upstreamErrorBodiesReachTheClientUnmodified() {
    Buffer upstream = Buffer.buffer(ERROR);
    Answer answer = pair.answer(call, STATUS, headers(HEADERS), upstream);
    assertThat(answer.body()).isEqualTo(upstream);
    assertThat(answer.statusFor(STATUS)).isEqualTo(STATUS);
    assertThat(answer.errorType()).isEqualTo("rate_limit_error");
  }

  @Test
  void theGatewaysOwnErrorsAreInBedrocksShape() {
    assertThat(json(pair.error(GatewayError.notFound("no such model"))).path("message").asText())
        .isEqualTo("no such model");
  }
}
