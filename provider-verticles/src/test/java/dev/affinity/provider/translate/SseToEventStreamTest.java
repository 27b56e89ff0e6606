package dev.affinity.provider.translate;

import dev.affinity.model.AwsEventStream;
import dev.affinity.model.config.ConfigLoader;
import dev.affinity.model.config.Deployment;
import dev.affinity.provider.bedrock.EventStreamToSse;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;
import software.amazon.eventstream.HeaderValue;
import software.amazon.eventstream.Message;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;

/** The event-stream encoder, read back by the decoder the Bedrock upstream uses and checked byte by byte. */
class SseToEventStreamTest {

  private static final String START = "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\","
      + "\"role\":\"assistant\",\"content\":[],\"usage\":{\"input_tokens\":12,\"cache_read_input_tokens\":4096,"
      + "\"output_tokens\":1}}}";
  private static final String DELTA = "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
      + "\"text_delta\",\"text\":\"Grüße \\ud83d\\ude00 \\n\"}}";
  private static final String STOP = "{\"type\":\"message_stop\"}";

  private static final String SSE = "event: message_start\ndata: " + START + "\n\n"
      + "event: ping\ndata: {\"type\":\"ping\"}\n\n"
      + "event: content_block_delta\ndata: " + DELTA + "\n\n"
      + "event: message_stop\ndata: " + STOP + "\n\n";

  @Test
  void theDecoderReadsBackEveryEventButThePingHoweverTheStreamIsCut() throws Exception {
    byte[] sse = SSE.getBytes(StandardCharsets.UTF_8);
    for (int piece : new int[] {1, 7, 64, sse.length}) {
      SseToEventStream encoder = new SseToEventStream();
      Buffer frames = Buffer.buffer();
      for (int i = 0; i < sse.length; i += piece) {
        frames.appendBuffer(encoder.chunk(Buffer.buffer().appendBytes(sse, i, Math.min(piece, sse.length - i))));
      }
      Buffer last = encoder.end();
      if (last != null) {
        frames.appendBuffer(last);
      }
      EventStreamToSse decoder = new EventStreamToSse(deployment());
      String decoded = decoder.chunk(frames).toString(StandardCharsets.UTF_8);
      assertThat(decoder.end()).as("a complete stream ends without an error").isNull();
      assertThat(decoded).isEqualTo("event: message_start\ndata: " + START + "\n\n"
          + "event: content_block_delta\ndata: " + DELTA + "\n\n"
          + "event: message_stop\ndata: " + STOP + "\n\n");
    }
  }

  @Test
  void aFrameIsPreludeHeadersPayloadAndTwoCrcs() {
    byte[] frame = AwsEventStream.chunk(STOP.getBytes(StandardCharsets.UTF_8));
    ByteBuffer bytes = ByteBuffer.wrap(frame);
    int total = bytes.getInt(0);
    int headersLength = bytes.getInt(4);
    assertThat(total).isEqualTo(frame.length);
    assertThat(Integer.toUnsignedLong(bytes.getInt(8))).isEqualTo(crc(frame, 0, 8));
    assertThat(Integer.toUnsignedLong(bytes.getInt(total - 4))).isEqualTo(crc(frame, 0, total - 4));
    String headers = new String(frame, 12, headersLength, StandardCharsets.ISO_8859_1);
    assertThat(headers).contains(":event-type").contains("chunk").contains(":message-type").contains("event")
        .contains(":content-type").contains("application/json");
    String payload = new String(frame, 12 + headersLength, total - 16 - headersLength, StandardCharsets.UTF_8);
    assertThat(payload).isEqualTo("{\"bytes\":\"" + Base64.getEncoder().encodeToString(
        STOP.getBytes(StandardCharsets.UTF_8)) + "\"}");
  }

  @Test
  void framesAreByteForByteWhatAwssOwnEncoderWrites() {
    Map<String, HeaderValue> headers = new LinkedHashMap<>();
    headers.put(":exception-type", HeaderValue.fromString("throttlingException"));
    headers.put(":content-type", HeaderValue.fromString("application/json"));
    headers.put(":message-type", HeaderValue.fromString("exception"));
    ByteBuffer expected = new Message(headers, "{\"message\":\"slow down\"}".getBytes(StandardCharsets.UTF_8))
        .toByteBuffer();
    assertThat(ByteBuffer.wrap(AwsEventStream.exception("throttlingException", "slow down"))).isEqualTo(expected);
    Message decoded = Message.decode(ByteBuffer.wrap(AwsEventStream.chunk(DELTA.getBytes(StandardCharsets.UTF_8))));
    assertThat(decoded.getHeaders().get(":event-type").getString()).isEqualTo("chunk");
  }

  @Test
  void anErrorEventBecomesTheExceptionBedrockSendsAndEndsTheStream() throws Exception {
    SseToEventStream encoder = new SseToEventStream();
    Buffer frames = encoder.chunk(Buffer.buffer("event: message_start\ndata: " + START + "\n\n"
        + "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"busy\"}}\n\n"
        + "event: message_stop\ndata: " + STOP + "\n\n"));
    assertThat(encoder.done()).isTrue();
    assertThat(encoder.end()).isNull();
    String decoded = new EventStreamToSse(deployment()).chunk(frames).toString(StandardCharsets.UTF_8);
    assertThat(decoded).startsWith("event: message_start\n")
        .contains("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
            + "\"message\":\"Bedrock serviceUnavailableException: busy\"}}")
        .doesNotContain("message_stop");
  }

  @Test
  void anthropicErrorTypesMapToTheStreamExceptionsBedrockHas() {
    assertThat(AwsEventStream.streamExceptionType("rate_limit_error")).isEqualTo("throttlingException");
    assertThat(AwsEventStream.streamExceptionType("invalid_request_error")).isEqualTo("validationException");
    assertThat(AwsEventStream.streamExceptionType("timeout_error")).isEqualTo("modelTimeoutException");
    assertThat(AwsEventStream.streamExceptionType("api_error")).isEqualTo("internalServerException");
  }

  private static long crc(byte[] bytes, int offset, int length) {
    CRC32 crc = new CRC32();
    crc.update(bytes, offset, length);
    return crc.getValue();
  }

  private static Deployment deployment() throws Exception {
    return ConfigLoader.parse("""
        model_list:
        - model_name: sonnet
          litellm_params:
            model: bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0
            aws_region_name: us-west-2
          model_info: {id: bedrock-a}
        """, Map.of()).deployments().get(0);
  }
}
