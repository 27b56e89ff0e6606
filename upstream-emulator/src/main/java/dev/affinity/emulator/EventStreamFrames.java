package dev.affinity.emulator;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.eventstream.HeaderValue;
import software.amazon.eventstream.Message;

/**
 * The binary frames of {@code InvokeModelWithResponseStream}: AWS event-stream messages (prelude with total and
 * headers length and its CRC32, headers, payload, message CRC32), encoded by the AWS event-stream library.
 *
 * <p>A {@code chunk} event carries one Anthropic stream event as {@code {"bytes":"<base64 of its JSON>","p":"..."}};
 * like Bedrock, {@code p} pads the payload so that its length does not reveal the length of the text it carries.
 */
final class EventStreamFrames {

  static final String CONTENT_TYPE = "application/vnd.amazon.eventstream";

  private static final String PADDING = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

  private EventStreamFrames() {
  }

  /** A {@code chunk} event carrying one Anthropic stream event. */
  static Buffer chunk(JsonObject anthropicEvent) {
    String bytes = Base64.getEncoder().encodeToString(anthropicEvent.encode().getBytes(StandardCharsets.UTF_8));
    // Pads the base64 to a multiple of the alphabet's length (at least one character, as Bedrock always sends "p").
    int padding = PADDING.length() - bytes.length() % PADDING.length();
    JsonObject payload = new JsonObject().put("bytes", bytes).put("p", PADDING.substring(0, padding));
    Map<String, HeaderValue> headers = new LinkedHashMap<>();
    headers.put(":event-type", HeaderValue.fromString("chunk"));
    headers.put(":content-type", HeaderValue.fromString("application/json"));
    headers.put(":message-type", HeaderValue.fromString("event"));
    return frame(headers, payload);
  }

  /**
   * An exception message: how Bedrock reports an error once the stream has begun.
   *
   * @param exceptionType the stream's name for it, e.g. {@code throttlingException}
   */
  static Buffer exception(String exceptionType, String message) {
    Map<String, HeaderValue> headers = new LinkedHashMap<>();
    headers.put(":exception-type", HeaderValue.fromString(exceptionType));
    headers.put(":content-type", HeaderValue.fromString("application/json"));
    headers.put(":message-type", HeaderValue.fromString("exception"));
    return frame(headers, new JsonObject().put("message", message));
  }

  private static Buffer frame(Map<String, HeaderValue> headers, JsonObject payload) {
    ByteBuffer encoded = new Message(headers, payload.encode().getBytes(StandardCharsets.UTF_8)).toByteBuffer();
    byte[] bytes = new byte[encoded.remaining()];
    encoded.get(bytes);
    return Buffer.buffer(bytes);
  }
}
