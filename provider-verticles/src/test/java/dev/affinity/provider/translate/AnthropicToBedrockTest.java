package dev.affinity.provider.translate;

import dev.affinity.model.RouteKind;
import com.fasterxml.jackson.databind.JsonNode;
import dev.affinity.model.ClientApi;
import dev.affinity.model.Operation;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.TokenUsage;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.ProviderKind;
import dev.affinity.provider.bedrock.EventStreamToSse;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static dev.affinity.provider.translate.PairFixture.ANTHROPIC_MESSAGE;
import static dev.affinity.provider.translate.PairFixture.BEDROCK_EVENTS;
import static dev.affinity.provider.translate.PairFixture.call;
import static dev.affinity.provider.translate.PairFixture.data;
import static dev.affinity.provider.translate.PairFixture.headers;
import static dev.affinity.provider.translate.PairFixture.json;
import static dev.affinity.provider.translate.PairFixture.pieces;
import static dev.affinity.provider.translate.PairFixture.whole;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Anthropic client, Bedrock upstream: InvokeModel's envelope out, the event stream decoded into Anthropic's SSE. */
class AnthropicToBedrockTest {

  static final String MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";

  private final Translator pair = Translators.of(ClientApi.ANTHROPIC, ProviderKind.BEDROCK, "sonnet");
  private final Deployment deployment = PairFixture.deployment("""
      model: bedrock/%s
      aws_region_name: us-west-2""".formatted(MODEL));
  private final String body = """
      {"model":"%s","max_tokens":64,"stream":true,"cache_control":{"type":"ephemeral"},
       "messages":[{"role":"user","content":"Hi"}]}""".formatted(MODEL);

  static byte[] eventStream(List<String> events) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    events.forEach(event -> out.writeBytes(EventStreamToSse.chunkFrame(event)));
    return out.toByteArray();
  }

  @Test
  void theRegistryFindsThisPair() {
    assertThat(pair).isInstanceOf(AnthropicToBedrock.class);
  }

  @Test
  void theRequestIsInInvokeModelsEnvelopeWithOnlyTheBetasBedrockTakes() {
    ProviderCall call = call(Operation.MESSAGES, deployment, body, false,
        Map.of("anthropic-beta", "claude-code-20250219,context-1m-2025-08-07"));
    assertThat(pair.canonical(call.request().json())).isSameAs(call.request().json());
    JsonNode sent = json(pair.requestBody(call));
    assertThat(sent.path("anthropic_version").asText()).isEqualTo("bedrock-2023-05-31");
    assertThat(sent.has("model")).isFalse();
    assertThat(sent.has("stream")).isFalse();
    assertThat(sent.has("cache_control")).isFalse();
    assertThat(sent.path("anthropic_beta").toString()).isEqualTo("[\"context-1m-2025-08-07\"]");
    assertThat(sent.at("/messages/0/content").asText()).isEqualTo("Hi");
  }

  @Test
  void aTokenCountGoesAsCountTokensWithTheInvokeBodyInside() {
    ProviderCall call = call(Operation.COUNT_TOKENS, deployment, """
        {"model":"%s","messages":[{"role":"user","content":"Hi"}]}""".formatted(MODEL), false);
    JsonNode sent = json(pair.requestBody(call));
    JsonNode invoke = json(new String(Base64.getDecoder().decode(sent.at("/input/invokeModel/body").asText())));
    assertThat(invoke.path("max_tokens").asInt()).isEqualTo(1);
    assertThat(invoke.path("anthropic_version").asText()).isEqualTo("bedrock-2023-05-31");

    Answer count = pair.answer(call, 200, headers(), Buffer.buffer("{\"inputTokens\":42}"));
    assertThat(json(count.body()).toString()).isEqualTo("{\"input_tokens\":42}");
  }

  @Test
  void aBodyThatIsNotJsonIsTheClientsMistake() {
    ProviderCall call = call(Operation.MESSAGES, deployment, "{\"model\":\"x\"}", false);
    ProviderCall broken = new ProviderCall(call.request(), deployment, Buffer.buffer("{not json"), RouteKind.UNPINNED, 1000,
        0, false);
    assertThatThrownBy(() -> pair.requestBody(broken)).isInstanceOf(TranslationException.class)
        .hasMessageContaining("not valid JSON");
  }

  @Test
  void aCompleteAnswerIsAnthropicsJsonWithItsUsage() {
    Answer answer = pair.answer(call(Operation.MESSAGES, deployment, body, false), 200, headers(),
        Buffer.buffer(ANTHROPIC_MESSAGE));
    assertThat(json(answer.body())).isEqualTo(json(ANTHROPIC_MESSAGE));
    assertThat(answer.contentType()).isEqualTo(Answer.JSON);
    assertThat(answer.usage()).isEqualTo(new TokenUsage(12, 100, 100, 0, 4096, 7));
  }

  @Test
  void theEventStreamBecomesAnthropicsEventsWhereverItIsCutWithBedrocksBilledUsage() {
    byte[] frames = eventStream(BEDROCK_EVENTS);
    String atOnce = whole(pair.stream(call(Operation.MESSAGES, deployment, body, false)), frames, frames.length);
    assertThat(atOnce).startsWith("event: message_start\ndata: ");
    assertThat(data(atOnce)).extracting(event -> event.path("type").asText()).containsExactly("message_start",
        "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop");
    for (int size : new int[] {1, 5, 33}) {
      StreamTranslation stream = pair.stream(call(Operation.MESSAGES, deployment, body, false));
      List<String> out = pieces(stream, frames, size);
      assertThat(String.join("", out)).isEqualTo(atOnce);
      // the metrics Bedrock bills by win over the event counts
      assertThat(stream.usage()).isEqualTo(new TokenUsage(12, 0, 0, 0, 4096, 8));
      assertThat(stream.errorType()).isNull();
      assertThat(stream.contentType()).startsWith("text/event-stream");
    }
  }

  @Test
  void anExceptionFrameEndsTheStreamWithAnAnthropicError() {
    ByteArrayOutputStream frames = new ByteArrayOutputStream();
    frames.writeBytes(EventStreamToSse.chunkFrame(BEDROCK_EVENTS.get(0)));
    frames.writeBytes(EventStreamToSse.exceptionFrame("throttlingException", "Too many tokens"));
    StreamTranslation stream = pair.stream(call(Operation.MESSAGES, deployment, body, false));
    String sse = whole(stream, frames.toByteArray(), 11);
    assertThat(data(sse).get(data(sse).size() - 1).at("/error/type").asText()).isEqualTo("rate_limit_error");
    assertThat(stream.errorType()).isEqualTo("rate_limit_error");
  }

  @Test
  void bedrocksErrorsAreAnthropicErrorsTypedByTheirHeader() {
    Answer answer = pair.answer(call(Operation.MESSAGES, deployment, body, false), 400,
        headers("x-amzn-errortype", "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/"),
        Buffer.buffer("{\"message\":\"Too many requests\"}"));
    assertThat(answer.statusFor(400)).isEqualTo(429);
    assertThat(answer.errorType()).isEqualTo("rate_limit_error");
    assertThat(json(answer.body()).path("type").asText()).isEqualTo("error");
    assertThat(json(answer.body()).at("/error/type").asText()).isEqualTo("rate_limit_error");
    assertThat(json(answer.body()).at("/error/message").asText()).contains("Too many requests");
  }
}
