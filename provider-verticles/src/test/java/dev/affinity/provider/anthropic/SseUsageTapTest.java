package dev.affinity.provider.anthropic;

import dev.affinity.model.TokenUsage;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class SseUsageTapTest {

  private static final String STREAM = """
      event: message_start
      data: {"type":"message_start","message":{"id":"msg_1","usage":{"input_tokens":12,"cache_creation_input_tokens":2048,"cache_read_input_tokens":4096,"cache_creation":{"ephemeral_5m_input_tokens":2000,"ephemeral_1h_input_tokens":48},"output_tokens":1}}}

      event: content_block_start
      data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

      event: ping
      data: {"type": "ping"}

      event: content_block_delta
      data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"usage output_tokens 999"}}

      event: message_delta
      data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":15}}

      event: message_delta
      data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":31}}

      event: message_stop
      data: {"type":"message_stop"}

      """;

  @Test
  void readsUsageFromMessageStartAndCumulativeMessageDeltaWhateverTheChunking() {
    byte[] bytes = STREAM.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
    for (int chunk : new int[] {1, 7, 64, bytes.length}) {
      SseUsageTap tap = new SseUsageTap();
      for (int i = 0; i < bytes.length; i += chunk) {
        tap.feed(Buffer.buffer().appendBytes(bytes, i, Math.min(chunk, bytes.length - i)));
      }
      assertThat(tap.usage()).as("chunks of %d", chunk).isEqualTo(new TokenUsage(12, 2048, 2000, 48, 4096, 31));
      assertThat(tap.errorType()).isNull();
    }
  }

  @Test
  void remembersAnInStreamErrorEvent() {
    SseUsageTap tap = new SseUsageTap();
    tap.feed(Buffer.buffer("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
        + "\"message\":\"Overloaded\"}}\n\n"));
    assertThat(tap.errorType()).isEqualTo("overloaded_error");
  }

  @Test
  void anOverlongLineIsSkippedNotBuffered() {
    SseUsageTap tap = new SseUsageTap();
    tap.feed(Buffer.buffer("event: message_start\ndata: " + "x".repeat(dev.affinity.provider.SseTap.MAX_LINE + 10) + "\n\n"));
    tap.feed(Buffer.buffer("event: message_delta\ndata: {\"usage\":{\"output_tokens\":3}}\n\n"));
    assertThat(tap.usage().outputTokens()).isEqualTo(3);
  }
}
