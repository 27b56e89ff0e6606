package dev.affinity.provider.translate;

import dev.affinity.model.RouteKind;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.model.GatewayRequest;
import dev.affinity.model.Operation;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.config.ConfigLoader;
import dev.affinity.model.config.Deployment;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What every pair's contract test needs: a deployment, a call, and a stream fed in pieces as the network cuts it. */
final class PairFixture {

  static final ObjectMapper JSON = new ObjectMapper();

  /** An Anthropic stream: a text answer of "Hello" with a cache read, as Anthropic sends it. */
  static final String ANTHROPIC_SSE = """
      event: message_start
      data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"usage":{"input_tokens":12,"cache_creation_input_tokens":0,"cache_read_input_tokens":4096,"output_tokens":1}}}

      event: content_block_start
      data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

      event: content_block_delta
      data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}

      event: content_block_delta
      data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"lo"}}

      event: content_block_stop
      data: {"type":"content_block_stop","index":0}

      event: message_delta
      data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":7}}

      event: message_stop
      data: {"type":"message_stop"}

      """;

  /** A complete Anthropic message, with a cache read. */
  static final String ANTHROPIC_MESSAGE = """
      {"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5",\
      "content":[{"type":"text","text":"Hello"}],"stop_reason":"end_turn","stop_sequence":null,\
      "usage":{"input_tokens":12,"cache_creation_input_tokens":100,"cache_read_input_tokens":4096,"output_tokens":7}}""";

  /** Bedrock's event stream for the same answer: each Anthropic event in a chunk frame, and Bedrock's metrics. */
  static final List<String> BEDROCK_EVENTS = List.of(
      "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_b\",\"type\":\"message\",\"role\":\"assistant\","
          + "\"content\":[],\"usage\":{\"input_tokens\":12,\"cache_read_input_tokens\":4096,\"output_tokens\":1}}}",
      "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}",
      "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}",
      "{\"type\":\"content_block_stop\",\"index\":0}",
      "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":7}}",
      "{\"type\":\"message_stop\",\"amazon-bedrock-invocationMetrics\":{\"inputTokenCount\":12,"
          + "\"outputTokenCount\":8,\"cacheReadInputTokenCount\":4096,\"cacheWriteInputTokenCount\":0}}");

  /** A Gemini SSE answer: text in two parts, a cached part of the prompt, then the finish reason. */
  static final String GEMINI_SSE = """
      data: {"candidates":[{"content":{"role":"model","parts":[{"text":"Hel"}]}}],"usageMetadata":{"promptTokenCount":3000,"cachedContentTokenCount":2048,"candidatesTokenCount":1},"responseId":"r1"}\r
      \r
      data: {"candidates":[{"content":{"role":"model","parts":[{"text":"lo"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":3000,"cachedContentTokenCount":2048,"candidatesTokenCount":5},"responseId":"r1"}\r
      \r
      """;

  /** A complete Gemini answer. */
  static final String GEMINI_ANSWER = """
      {"candidates":[{"content":{"role":"model","parts":[{"text":"Hello"}]},"finishReason":"STOP"}],\
      "usageMetadata":{"promptTokenCount":3000,"cachedContentTokenCount":2048,"candidatesTokenCount":5},"responseId":"r1"}""";

  private PairFixture() {
  }

  /** The first deployment of a {@code model_list} entry's {@code litellm_params} lines (indented by 4). */
  static Deployment deployment(String litellmParams) {
    try {
      return ConfigLoader.parse("""
          model_list:
          - model_name: sonnet
            litellm_params:
          %s
          """.formatted(litellmParams.indent(4).stripTrailing()), Map.of()).deployments().get(0);
    } catch (Exception invalid) {
      throw new IllegalStateException(invalid);
    }
  }

  /** A call of {@code operation} with {@code body} (the canonical form, as the router hands it over). */
  static ProviderCall call(Operation operation, Deployment deployment, String body, boolean streamUsage) {
    return call(operation, deployment, body, streamUsage, Map.of());
  }

  static ProviderCall call(Operation operation, Deployment deployment, String body, boolean streamUsage,
                           Map<String, String> headers) {
    JsonNode json = json(body);
    GatewayRequest request = new GatewayRequest("req-1", operation, "sonnet", json.path("stream").asBoolean(false),
        "default", headers, null, Buffer.buffer(body), json);
    return new ProviderCall(request, deployment, Buffer.buffer(body), RouteKind.UNPINNED, 10_000, System.nanoTime(),
        streamUsage);
  }

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception invalid) {
      throw new IllegalArgumentException(invalid);
    }
  }

  static JsonNode json(Buffer body) {
    return json(body.toString(StandardCharsets.UTF_8));
  }

  static MultiMap headers(String... namesAndValues) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      headers.add(namesAndValues[i], namesAndValues[i + 1]);
    }
    return headers;
  }

  /** What the client receives for each piece of {@code upstream} cut every {@code size} bytes, then the end. */
  static List<String> pieces(StreamTranslation stream, byte[] upstream, int size) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < upstream.length && !stream.done(); i += size) {
      out.add(stream.chunk(Buffer.buffer().appendBytes(upstream, i, Math.min(size, upstream.length - i)))
          .toString(StandardCharsets.UTF_8));
    }
    Buffer tail = stream.end();
    out.add(tail == null ? "" : tail.toString(StandardCharsets.UTF_8));
    return out;
  }

  /** Everything the client receives for {@code upstream} cut every {@code size} bytes. */
  static String whole(StreamTranslation stream, byte[] upstream, int size) {
    return String.join("", pieces(stream, upstream, size));
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** The JSON of every {@code data:} line of an SSE text, in order ({@code [DONE]} as a text node). */
  static List<JsonNode> data(String sse) {
    List<JsonNode> events = new ArrayList<>();
    for (String line : sse.split("\n")) {
      if (line.startsWith("data: ")) {
        String data = line.substring(6);
        events.add(data.equals("[DONE]") ? JSON.getNodeFactory().textNode(data) : json(data));
      }
    }
    return events;
  }
}
