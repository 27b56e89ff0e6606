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

import java.nio.charset.StandardCharsets;

import static dev.affinity.provider.translate.PairFixture.ANTHROPIC_MESSAGE;
import static dev.affinity.provider.translate.PairFixture.ANTHROPIC_SSE;
import static dev.affinity.provider.translate.PairFixture.call;
import static dev.affinity.provider.translate.PairFixture.headers;
import static dev.affinity.provider.translate.PairFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract every pair from a cloud API for Claude (Bedrock InvokeModel, Vertex rawPredict) keeps: the request is
 * the Anthropic client's pair's, a complete answer is Claude's message with its usage; and the checks of stream
 * framing and error shapes that each pair's test picks from.
 */
abstract class CloudPairContract {

  /** An upstream error of a rate limit, as each API writes it. */
  static final String ANTHROPIC_ERROR = "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\","
      + "\"message\":\"slow down\"}}";
  static final String BEDROCK_ERROR = "{\"message\":\"slow down\"}";
  static final String GOOGLE_ERROR = "{\"error\":{\"code\":429,\"message\":\"slow down\",\"status\":"
      + "\"RESOURCE_EXHAUSTED\"}}";
  static final String[] BEDROCK_ERROR_HEADERS = {"x-amzn-errortype",
      "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/"};

  private static final TokenUsage STREAM_USAGE = new TokenUsage(12, 0, 0, 0, 4096, 7);

  final Translator pair;
  final ProviderCall call;
  private final Class<? extends Translator> type;
  private final Translator anthropicPair;

  CloudPairContract(Class<? extends Translator> type, ClientApi client, ProviderKind upstream, Deployment deployment,
                    Translator anthropicPair) {
    this.type = type;
    this.pair = Translators.of(client, upstream, "sonnet");
    this.call = call(client == ClientApi.BEDROCK_INVOKE ? Operation.INVOKE_MODEL : Operation.RAW_PREDICT, deployment,
        CloudPairs.MESSAGES, false);
    this.anthropicPair = anthropicPair;
  }

  @Test
  void theRegistryFindsThisPair() {
    assertThat(pair).isInstanceOf(type);
  }

  @Test
  void theRequestIsWhatAnAnthropicClientsWouldBe() {
    assertThat(pair.canonical(call.request().json())).isSameAs(call.request().json());
    assertThat(pair.requestBody(call)).isEqualTo(anthropicPair.requestBody(call));
  }

  @Test
  void aCompleteAnswerIsClaudesMessageWithItsUsage() {
    Answer answer = pair.answer(call, 200, headers(), Buffer.buffer(ANTHROPIC_MESSAGE));
    assertThat(json(answer.body())).isEqualTo(json(ANTHROPIC_MESSAGE));
    assertThat(answer.statusFor(200)).isEqualTo(200);
    assertThat(answer.errorType()).isNull();
    assertThat(answer.usage()).isEqualTo(new TokenUsage(12, 100, 100, 0, 4096, 7));
  }

  /** The client reads Bedrock's event-stream frames of the Anthropic events, however the upstream was cut. */
  void streamsAsBedrockFrames(byte[] upstream) {
    for (int size : new int[] {1, 7, 1000}) {
      StreamTranslation stream = pair.stream(call);
      byte[] frames = CloudPairs.streamed(stream, upstream, size);
      assertThat(stream.contentType()).isEqualTo("application/vnd.amazon.eventstream");
      assertThat(CloudPairs.decoded(frames)).isEqualTo(ANTHROPIC_SSE);
      assertThat(stream.usage()).isEqualTo(STREAM_USAGE);
    }
  }

  /** The client reads Anthropic's server-sent events. */
  void streamsAsAnthropicEvents(byte[] upstream) {
    StreamTranslation stream = pair.stream(call);
    String sse = new String(CloudPairs.streamed(stream, upstream, 7), StandardCharsets.UTF_8);
    assertThat(PairFixture.data(sse)).isEqualTo(PairFixture.data(ANTHROPIC_SSE));
    assertThat(stream.usage()).isEqualTo(STREAM_USAGE);
  }

  /** An upstream error reaches the client as the upstream sent it: the client speaks the upstream's API. */
  void passesErrorsUnmodified(String error, String... errorHeaders) {
    Buffer upstream = Buffer.buffer(error);
    Answer answer = pair.answer(call, 429, headers(errorHeaders), upstream);
    assertThat(answer.body()).isEqualTo(upstream);
    assertThat(answer.statusFor(429)).isEqualTo(429);
    assertThat(answer.errorType()).isEqualTo("rate_limit_error");
  }

  /** An upstream error in Bedrock's shape, {@code {"message": ...}}. */
  void reshapesErrorsForBedrock(String error, String... errorHeaders) {
    Answer answer = pair.answer(call, 429, headers(errorHeaders), Buffer.buffer(error));
    assertThat(answer.statusFor(429)).isEqualTo(429);
    assertThat(json(answer.body()).path("message").asText()).contains("slow down");
    assertThat(json(answer.body()).has("type")).isFalse();
    assertThat(answer.errorType()).isEqualTo("rate_limit_error");
  }

  /** An upstream error in Google's shape, {@code {"error":{"code","message","status"}}}. */
  void reshapesErrorsForGoogle(String error, String... errorHeaders) {
    Answer answer = pair.answer(call, 429, headers(errorHeaders), Buffer.buffer(error));
    assertThat(answer.statusFor(429)).isEqualTo(429);
    assertThat(json(answer.body()).at("/error/status").asText()).isEqualTo("RESOURCE_EXHAUSTED");
    assertThat(json(answer.body()).at("/error/message").asText()).contains("slow down");
    assertThat(answer.errorType()).isEqualTo("rate_limit_error");
  }

  /** The gateway's own errors in the client's shape. */
  @Test
  void theGatewaysOwnErrorsAreInTheClientsShape() {
    Buffer error = pair.error(GatewayError.notFound("no such model"));
    if (pair.client() == ClientApi.BEDROCK_INVOKE) {
      assertThat(json(error).path("message").asText()).isEqualTo("no such model");
    } else {
      assertThat(json(error).at("/error/status").asText()).isEqualTo("NOT_FOUND");
    }
  }
}
