package dev.affinity.provider.bedrock;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.model.AwsEventStream;
import dev.affinity.model.GatewayError;
import dev.affinity.model.config.Deployment;
import dev.affinity.provider.translate.StreamDecoder;
import io.vertx.core.buffer.Buffer;
import software.amazon.eventstream.HeaderValue;
import software.amazon.eventstream.Message;
import software.amazon.eventstream.MessageDecoder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Turns Bedrock's streamed answer ({@code application/vnd.amazon.eventstream}: binary frames, each CRC-checked by
 * the decoder) into the server-sent events Anthropic's API streams, so the client cannot tell the difference. Each
 * {@code chunk} frame carries one Anthropic event, base64-encoded in {@code {"bytes": ...}}; it becomes
 * {@code event: <type>\ndata: <json>\n\n} with the event's JSON as Bedrock sent it.
 *
 * <p>An exception frame (throttling, a model error mid-stream), a frame that fails its checksum, or an upstream
 * that ends before {@code message_stop} becomes an Anthropic {@code event: error}, and the stream is {@link #done()}:
 * nothing after a corrupted frame can be trusted to be framed right.
 */
public final class EventStreamToSse implements StreamDecoder {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Deployment deployment;
  private final MessageDecoder frames = new MessageDecoder(this::onFrame);
  private Buffer out;
  private boolean stopped;
  private boolean done;

  public EventStreamToSse(Deployment deployment) {
    this.deployment = deployment;
  }

  @Override
  public Buffer chunk(Buffer upstream) {
    if (done) {
      return null;
    }
    out = Buffer.buffer();
    try {
      frames.feed(upstream.getBytes());
    } catch (RuntimeException corrupted) {
      // checksum or length failures: the library says which; the bytes themselves are not echoed anywhere
      error(new GatewayError(502, "api_error", "deployment " + deployment.id()
          + ": Bedrock sent a corrupted event-stream frame (" + corrupted.getMessage() + ")"));
    }
    Buffer events = out;
    out = null;
    return events;
  }

  @Override
  public Buffer end() {
    if (done || stopped) {
      return null;
    }
    out = Buffer.buffer();
    error(new GatewayError(502, "api_error", "deployment " + deployment.id()
        + ": the Bedrock stream ended before the message was complete"));
    Buffer events = out;
    out = null;
    return events;
  }

  @Override
  public boolean done() {
    return done;
  }

  private void onFrame(Message frame) {
    if (done) {
      return;
    }
    String messageType = header(frame, ":message-type");
    if ("exception".equals(messageType)) {
      String message = null;
      try {
        message = JSON.readTree(frame.getPayload()).path("message").asText(null);
      } catch (IOException notJson) {
        // the exception type alone still maps to the right error
      }
      error(BedrockError.of(500, header(frame, ":exception-type"), message, deployment));
    } else if ("error".equals(messageType)) {
      error(BedrockError.of(500, header(frame, ":error-code"), header(frame, ":error-message"), deployment));
    } else if ("chunk".equals(header(frame, ":event-type"))) {
      chunkEvent(frame.getPayload());
    }
    // other event types (none today) carry nothing a Messages client would understand
  }

  private void chunkEvent(byte[] payload) {
    byte[] event;
    String type;
    try {
      event = Base64.getDecoder().decode(JSON.readTree(payload).path("bytes").asText(""));
      type = JSON.readTree(event).path("type").asText("");
    } catch (IOException | IllegalArgumentException malformed) {
      error(new GatewayError(502, "api_error", "deployment " + deployment.id()
          + ": Bedrock sent a chunk that is not a base64-encoded JSON event"));
      return;
    }
    if (type.isEmpty()) {
      return;
    }
    if (type.equals("message_stop")) {
      stopped = true;
    }
    out.appendString("event: ").appendString(type).appendString("\ndata: ").appendBytes(oneLine(event))
        .appendString("\n\n");
  }

  /** An SSE data line ends at a newline; JSON only has them as whitespace between tokens, so they can go. */
  private static byte[] oneLine(byte[] json) {
    int newlines = 0;
    for (byte b : json) {
      if (b == '\n' || b == '\r') {
        newlines++;
      }
    }
    if (newlines == 0) {
      return json;
    }
    byte[] line = new byte[json.length - newlines];
    int i = 0;
    for (byte b : json) {
      if (b != '\n' && b != '\r') {
        line[i++] = b;
      }
    }
    return line;
  }

  private void error(GatewayError error) {
    done = true;
    out.appendString("event: error\ndata: ").appendString(error.toAnthropicJson().encode()).appendString("\n\n");
  }

  private static String header(Message frame, String name) {
    HeaderValue value = frame.getHeaders().get(name);
    return value == null ? null : value.getString();
  }

  /** The event-stream frame Bedrock sends for one Anthropic event (for tests and emulators). */
  public static byte[] chunkFrame(String anthropicEventJson) {
    return AwsEventStream.chunk(anthropicEventJson.getBytes(StandardCharsets.UTF_8));
  }

  /** The event-stream frame Bedrock sends when the call fails mid-stream (for tests and emulators). */
  public static byte[] exceptionFrame(String exceptionType, String message) {
    return AwsEventStream.exception(exceptionType, message);
  }
}
