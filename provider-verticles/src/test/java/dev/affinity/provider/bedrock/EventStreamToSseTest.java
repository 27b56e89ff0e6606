package dev.affinity.provider.bedrock;

import dev.affinity.model.TokenUsage;
import dev.affinity.model.config.Deployment;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static dev.affinity.provider.bedrock.EventStreamToSse.chunkFrame;
import static dev.affinity.provider.bedrock.EventStreamToSse.exceptionFrame;
import static org.assertj.core.api.Assertions.assertThat;

class EventStreamToSseTest {

  static final List<String> EVENTS = List.of(
      "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_bdrk_1\",\"type\":\"message\",\"role\":\"assistant\","
          + "\"model\":\"claude-sonnet-4-5-20250929\",\"content\":[],\"usage\":{\"input_tokens\":12,"
          + "\"cache_creation_input_tokens\":2048,\"cache_read_input_tokens\":4096,\"output_tokens\":1}}}",
      "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}",
      "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}",
      "{\"type\":\"content_block_stop\",\"index\":0}",
      "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":7}}",
      "{\"type\":\"message_stop\",\"amazon-bedrock-invocationMetrics\":{\"inputTokenCount\":12,"
          + "\"outputTokenCount\":7,\"invocationLatency\":420,\"firstByteLatency\":180,"
          + "\"cacheReadInputTokenCount\":4096,\"cacheWriteInputTokenCount\":2048}}");

  private static Deployment deployment;

  @BeforeAll
  static void deployment() throws Exception {
    deployment = BedrockErrorTest.deployment("aws_profile_name: account-1");
  }

  static byte[] stream(List<String> events) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    events.forEach(event -> out.writeBytes(chunkFrame(event)));
    return out.toByteArray();
  }

  static String expectedSse(List<String> events) {
    StringBuilder sse = new StringBuilder();
    for (String event : events) {
      String type = event.substring(9, event.indexOf('"', 9));
      sse.append("event: ").append(type).append("\ndata: ").append(event).append("\n\n");
    }
    return sse.toString();
  }

  /** Feeds {@code bytes} in pieces of {@code size}, as the network might cut them, then ends. */
  private static String convert(EventStreamToSse decoder, byte[] bytes, int size) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < bytes.length && !decoder.done(); i += size) {
      Buffer events = decoder.chunk(Buffer.buffer().appendBytes(bytes, i, Math.min(size, bytes.length - i)));
      if (events != null) {
        out.append(events.toString(StandardCharsets.UTF_8));
      }
    }
    Buffer tail = decoder.done() ? null : decoder.end();
    if (tail != null) {
      out.append(tail.toString(StandardCharsets.UTF_8));
    }
    return out.toString();
  }

  @Test
  void framesBecomeAnthropicEventsWhateverTheChunking() {
    byte[] bytes = stream(EVENTS);
    for (int size : new int[] {1, 13, 100, bytes.length}) {
      EventStreamToSse decoder = new EventStreamToSse(deployment);
      assertThat(convert(decoder, bytes, size)).as("pieces of %d", size).isEqualTo(expectedSse(EVENTS));
      assertThat(decoder.done()).isFalse();
    }
  }

  @Test
  void theTapReadsUsageFromTheEventsAndBedrocksMetrics() {
    BedrockUsageTap tap = new BedrockUsageTap();
    tap.feed(new EventStreamToSse(deployment).chunk(Buffer.buffer(stream(EVENTS))));
    assertThat(tap.usage()).isEqualTo(new TokenUsage(12, 2048, 2048, 0, 4096, 7));
    assertThat(tap.errorType()).isNull();
  }

  @Test
  void invocationMetricsAreWhatAwsBills() {
    TokenUsage fromEvents = new TokenUsage(10, 100, 40, 60, 0, 5);
    BedrockUsageTap tap = new BedrockUsageTap();
    tap.feed(Buffer.buffer("event: message_stop\ndata: {\"type\":\"message_stop\",\"amazon-bedrock-invocationMetrics\""
        + ":{\"inputTokenCount\":11,\"outputTokenCount\":9,\"cacheWriteInputTokenCount\":100}}\n\n"));
    assertThat(tap.usage()).isEqualTo(new TokenUsage(11, 100, 100, 0, 0, 9));
    assertThat(BedrockUsageTap.withMetrics(fromEvents, new com.fasterxml.jackson.databind.ObjectMapper()
        .createObjectNode().put("outputTokenCount", 8))).isEqualTo(new TokenUsage(10, 100, 40, 60, 0, 8));
  }

  @Test
  void anExceptionFrameBecomesAnErrorEventAndEndsTheStream() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.writeBytes(stream(EVENTS.subList(0, 3)));
    bytes.writeBytes(exceptionFrame("throttlingException", "Too many tokens, please wait before trying again."));
    bytes.writeBytes(chunkFrame(EVENTS.get(3)));
    EventStreamToSse decoder = new EventStreamToSse(deployment);

    String sse = convert(decoder, bytes.toByteArray(), 64);

    assertThat(decoder.done()).isTrue();
    assertThat(sse).isEqualTo(expectedSse(EVENTS.subList(0, 3)) + "event: error\ndata: {\"type\":\"error\","
        + "\"error\":{\"type\":\"rate_limit_error\",\"message\":\"Bedrock throttlingException: Too many tokens,"
        + " please wait before trying again.\"}}\n\n");
    BedrockUsageTap tap = new BedrockUsageTap();
    tap.feed(Buffer.buffer(sse));
    assertThat(tap.errorType()).isEqualTo("rate_limit_error");
  }

  @Test
  void aCorruptedFrameFailsTheStreamCleanly() {
    byte[] bytes = stream(EVENTS);
    int secondFrame = chunkFrame(EVENTS.get(0)).length;
    bytes[secondFrame + 40] ^= 0x20; // one bit inside the second frame's payload: its CRC no longer matches
    EventStreamToSse decoder = new EventStreamToSse(deployment);

    String sse = convert(decoder, bytes, 50);

    assertThat(decoder.done()).isTrue();
    assertThat(sse).startsWith(expectedSse(EVENTS.subList(0, 1)) + "event: error\ndata: {\"type\":\"error\","
        + "\"error\":{\"type\":\"api_error\",\"message\":\"deployment bedrock-a: Bedrock sent a corrupted"
        + " event-stream frame (");
    assertThat(sse).endsWith("\n\n").doesNotContain("content_block_start");
    assertThat(decoder.chunk(Buffer.buffer(chunkFrame(EVENTS.get(1))))).as("nothing after it").isNull();
  }

  @Test
  void aStreamCutShortEndsWithAnError() {
    byte[] whole = stream(EVENTS.subList(0, 3));
    byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 5);
    String sse = convert(new EventStreamToSse(deployment), cut, 1000);
    assertThat(sse).isEqualTo(expectedSse(EVENTS.subList(0, 2)) + "event: error\ndata: {\"type\":\"error\","
        + "\"error\":{\"type\":\"api_error\",\"message\":\"deployment bedrock-a: the Bedrock stream ended before"
        + " the message was complete\"}}\n\n");
  }
}
