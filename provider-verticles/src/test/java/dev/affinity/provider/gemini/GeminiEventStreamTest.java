package dev.affinity.provider.gemini;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.model.TokenUsage;
import dev.affinity.provider.anthropic.SseUsageTap;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GeminiEventStreamTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String TEXT_THEN_CALL = """
      data: {"candidates":[{"content":{"role":"model","parts":[{"text":"Hel"}]}}],"usageMetadata":{"promptTokenCount":3000,"cachedContentTokenCount":2048,"candidatesTokenCount":1},"responseId":"r1"}\r
      \r
      data: {"candidates":[{"content":{"role":"model","parts":[{"text":"lo"}]}}],"usageMetadata":{"promptTokenCount":3000,"cachedContentTokenCount":2048,"candidatesTokenCount":2},"responseId":"r1"}\r
      \r
      data: {"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"weather","args":{"city":"Paris"}}}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":3000,"cachedContentTokenCount":2048,"candidatesTokenCount":9},"responseId":"r1"}\r
      \r
      """;

  /** The stream fed in pieces of {@code piece} bytes, then ended: the Anthropic events, as (name, data) pairs. */
  private static List<String[]> events(String gemini, int piece, SseUsageTap tap) throws Exception {
    GeminiEventStream stream = new GeminiEventStream("alias", "dep-1");
    StringBuilder out = new StringBuilder();
    byte[] bytes = gemini.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    for (int i = 0; i < bytes.length; i += piece) {
      Buffer chunk = stream.chunk(Buffer.buffer().appendBytes(bytes, i, Math.min(piece, bytes.length - i)));
      tap.feed(chunk);
      out.append(chunk);
    }
    Buffer tail = stream.end();
    if (tail != null) {
      tap.feed(tail);
      out.append(tail);
    }
    List<String[]> events = new ArrayList<>();
    for (String event : out.toString().split("\n\n")) {
      String[] lines = event.split("\n");
      events.add(new String[] {lines[0].substring("event: ".length()), lines[1].substring("data: ".length())});
    }
    return events;
  }

  @Test
  void becomesAnAnthropicStreamWhateverTheChunking() throws Exception {
    for (int piece : new int[] {1, 7, 100_000}) {
      SseUsageTap tap = new SseUsageTap();
      List<String[]> events = events(TEXT_THEN_CALL, piece, tap);

      assertThat(events).extracting(e -> e[0]).containsExactly("message_start", "content_block_start",
          "content_block_delta", "content_block_delta", "content_block_stop", "content_block_start",
          "content_block_delta", "content_block_stop", "message_delta", "message_stop");
      JsonNode start = JSON.readTree(events.get(0)[1]);
      assertThat(start.path("message").path("id").asText()).isEqualTo("msg_r1");
      assertThat(start.path("message").path("model").asText()).isEqualTo("alias");
      assertThat(start.path("message").path("usage").path("input_tokens").asLong()).isEqualTo(952);
      assertThat(start.path("message").path("usage").path("cache_read_input_tokens").asLong()).isEqualTo(2048);
      assertThat(JSON.readTree(events.get(3)[1]).path("delta").path("text").asText()).isEqualTo("lo");
      JsonNode tool = JSON.readTree(events.get(5)[1]);
      assertThat(tool.path("index").asInt()).isEqualTo(1);
      assertThat(tool.path("content_block").path("name").asText()).isEqualTo("weather");
      assertThat(JSON.readTree(events.get(6)[1]).path("delta").path("partial_json").asText())
          .isEqualTo("{\"city\":\"Paris\"}");
      JsonNode delta = JSON.readTree(events.get(8)[1]);
      assertThat(delta.path("delta").path("stop_reason").asText()).isEqualTo("tool_use");
      assertThat(tap.usage()).isEqualTo(new TokenUsage(952, 0, 0, 0, 2048, 9));
      assertThat(tap.errorType()).isNull();
    }
  }

  @Test
  void maxTokensFinishIsAnAnthropicMaxTokensStop() throws Exception {
    List<String[]> events = events("data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"a\"}]},"
        + "\"finishReason\":\"MAX_TOKENS\"}],\"usageMetadata\":{\"promptTokenCount\":5,\"candidatesTokenCount\":1}}\n\n",
        1000, new SseUsageTap());

    assertThat(JSON.readTree(events.get(events.size() - 2)[1]).path("delta").path("stop_reason").asText())
        .isEqualTo("max_tokens");
  }

  @Test
  void aStreamCutShortOrAnErrorInTheStreamEndsWithAnErrorEvent() throws Exception {
    SseUsageTap cut = new SseUsageTap();
    List<String[]> events = events(TEXT_THEN_CALL.substring(0, TEXT_THEN_CALL.indexOf("data:", 10)), 50, cut);
    assertThat(events.get(events.size() - 1)[0]).isEqualTo("error");
    assertThat(cut.errorType()).isEqualTo("api_error");

    SseUsageTap failed = new SseUsageTap();
    events = events("data: {\"error\":{\"code\":429,\"message\":\"Resource exhausted\",\"status\":\"RESOURCE_EXHAUSTED\"}}\n\n",
        1000, failed);
    assertThat(events).extracting(e -> e[0]).containsExactly("error");
    assertThat(failed.errorType()).isEqualTo("rate_limit_error");
  }
}
