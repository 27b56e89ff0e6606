package dev.affinity.model;

import io.vertx.core.json.JsonObject;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The AWS event-stream frames of Bedrock's {@code InvokeModelWithResponseStream}, written. A frame is a prelude (total
 * length and headers length, 4 bytes each, big-endian, then the CRC32 of those 8 bytes), the headers (each a 1-byte
 * name length, the name, type 7 for a string, a 2-byte value length, the value), the payload, and the CRC32 of
 * everything before it. A {@code chunk} event carries one Anthropic stream event as
 * {@code {"bytes":"<base64 of its JSON>"}}; an error once the stream has begun is an {@code exception} message named by
 * {@code :exception-type}, carrying {@code {"message": ...}}.
 */
public final class AwsEventStream {

  public static final String CONTENT_TYPE = "application/vnd.amazon.eventstream";

  private static final byte STRING = 7;

  private AwsEventStream() {
  }

  /** The {@code chunk} frame carrying one Anthropic stream event (its JSON, as UTF-8 bytes). */
  public static byte[] chunk(byte[] anthropicEventJson) {
    String payload = "{\"bytes\":\"" + Base64.getEncoder().encodeToString(anthropicEventJson) + "\"}";
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put(":event-type", "chunk");
    headers.put(":content-type", "application/json");
    headers.put(":message-type", "event");
    return frame(headers, payload.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The {@code exception} frame for an error once the stream has begun.
   *
   * @param exceptionType the stream's lower-camel-case name, e.g. {@code throttlingException}
   */
  public static byte[] exception(String exceptionType, String message) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put(":exception-type", exceptionType);
    headers.put(":content-type", "application/json");
    headers.put(":message-type", "exception");
    return frame(headers, new JsonObject().put("message", message).encode().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The stream exception Bedrock uses for an Anthropic error type: its stream knows only validation, throttling,
   * internal-server, service-unavailable, model-timeout and model-stream errors.
   */
  public static String streamExceptionType(String anthropicErrorType) {
    return switch (anthropicErrorType == null ? "" : anthropicErrorType) {
      case "invalid_request_error", "request_too_large" -> "validationException";
      case "rate_limit_error" -> "throttlingException";
      case "overloaded_error" -> "serviceUnavailableException";
      case "timeout_error" -> "modelTimeoutException";
      default -> "internalServerException";
    };
  }

  private static byte[] frame(Map<String, String> headers, byte[] payload) {
    ByteArrayOutputStream encodedHeaders = new ByteArrayOutputStream();
    headers.forEach((name, value) -> {
      byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
      byte[] valueBytes = value.getBytes(StandardCharsets.UTF_8);
      encodedHeaders.write(nameBytes.length);
      encodedHeaders.writeBytes(nameBytes);
      encodedHeaders.write(STRING);
      encodedHeaders.write(valueBytes.length >> 8);
      encodedHeaders.write(valueBytes.length);
      encodedHeaders.writeBytes(valueBytes);
    });
    int headersLength = encodedHeaders.size();
    int total = 12 + headersLength + payload.length + 4;
    ByteBuffer frame = ByteBuffer.allocate(total);
    frame.putInt(total).putInt(headersLength).putInt((int) crc(frame.array(), 8));
    frame.put(encodedHeaders.toByteArray()).put(payload);
    frame.putInt((int) crc(frame.array(), total - 4));
    return frame.array();
  }

  private static long crc(byte[] bytes, int length) {
    CRC32 crc = new CRC32();
    crc.update(bytes, 0, length);
    return crc.getValue();
  }
}
