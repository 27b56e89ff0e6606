package dev.affinity.provider.translate;

import software.amazon.eventstream.HeaderValue;
import software.amazon.eventstream.Message;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The AWS event-stream frames of Bedrock's {@code InvokeModelWithResponseStream}, written: each frame is a prelude
 * (total and headers length, the prelude's CRC32), string headers, the payload and the message's CRC32, encoded by
 * AWS's own event-stream library. A {@code chunk} event carries one Anthropic stream event as
 * {@code {"bytes":"<base64 of its JSON>"}}; an error after the stream has begun is an {@code exception} message named
 * by {@code :exception-type} with {@code {"message": ...}}, as Bedrock sends them.
 */
public final class EventStreamFrames {

  public static final String CONTENT_TYPE = "application/vnd.amazon.eventstream";

  private EventStreamFrames() {
  }

  /** The {@code chunk} frame carrying one Anthropic stream event (its JSON, as UTF-8 bytes). */
  public static byte[] chunk(byte[] anthropicEventJson) {
    String payload = "{\"bytes\":\"" + Base64.getEncoder().encodeToString(anthropicEventJson) + "\"}";
    Map<String, HeaderValue> headers = new LinkedHashMap<>();
    headers.put(":event-type", HeaderValue.fromString("chunk"));
    headers.put(":content-type", HeaderValue.fromString("application/json"));
    headers.put(":message-type", HeaderValue.fromString("event"));
    return bytes(new Message(headers, payload.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * The {@code exception} frame for an error once the stream has begun.
   *
   * @param exceptionType the stream's lower-camel-case name, e.g. {@code throttlingException}
   */
  public static byte[] exception(String exceptionType, String message) {
    Map<String, HeaderValue> headers = new LinkedHashMap<>();
    headers.put(":exception-type", HeaderValue.fromString(exceptionType));
    headers.put(":content-type", HeaderValue.fromString("application/json"));
    headers.put(":message-type", HeaderValue.fromString("exception"));
    String payload = io.vertx.core.json.JsonObject.of("message", message).encode();
    return bytes(new Message(headers, payload.getBytes(StandardCharsets.UTF_8)));
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

  private static byte[] bytes(Message frame) {
    ByteBuffer buffer = frame.toByteBuffer();
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }
}
