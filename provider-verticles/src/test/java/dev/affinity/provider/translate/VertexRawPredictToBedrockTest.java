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

/** Vertex rawPredict client, Bedrock upstream: Bedrock's frames decoded into Anthropic's events, its errors in Google's shape. */
class VertexRawPredictToBedrockTest {

  private final Translator pair = Translators.of(ClientApi.VERTEX_RAW_PREDICT, ProviderKind.BEDROCK, "sonnet");
  private final ProviderCall call = call(Operation.RAW_PREDICT, CloudPairs.BEDROCK, MESSAGES, false);

  @Test
  void theRegistryFindsThisPair() {
    assertThat(pair).isInstanceOf(VertexRawPredictToBedrock.class);
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
  void theStreamIsAnthropicsEventsWithTheUsageAtItsEnd() {
    StreamTranslation stream = pair.stream(call);
    String sse = new String(CloudPairs.streamed(stream, UPSTREAM, 7), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(PairFixture.data(sse)).isEqualTo(PairFixture.data(ANTHROPIC_SSE));
    assertThat(stream.usage()).isEqualTo(new TokenUsage(12, 0, 0, 0, 4096, 7));
  }

  @Test
  void upstreamErrorsAreInGooglesShape() {
    Answer answer = pair.answer(call, STATUS, headers(HEADERS), Buffer.buffer(ERROR));
    assertThat(answer.statusFor(STATUS)).isEqualTo(429);
    assertThat(json(answer.body()).at("/error/status").asText()).isEqualTo("RESOURCE_EXHAUSTED");
    assertThat(json(answer.body()).at("/error/message").asText()).contains("slow down");
    assertThat(answer.errorType()).isEqualTo("rate_limit_error");
  }

  @Test
  void theGatewaysOwnErrorsAreInGooglesShape() {
    assertThat(json(pair.error(GatewayError.notFound("no such model"))).at("/error/status").asText())
        .isEqualTo("NOT_FOUND");
  }
}
