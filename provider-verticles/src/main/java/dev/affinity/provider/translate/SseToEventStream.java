package dev.affinity.provider.translate;

import dev.affinity.model.AwsEventStream;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;

/**
 * Anthropic's server-sent events in, Bedrock's event stream out, as they arrive: each event's JSON becomes one
 * {@code chunk} frame, and an {@code event: error} becomes the {@code exception} frame Bedrock would send for it,
 * after which the stream is {@link #done()}. What a Bedrock InvokeModel client reads from any Claude upstream.
 */
public final class SseToEventStream {

  /** An Anthropic event is small; a bigger one means a broken upstream, not a reason to buffer without bound. */
  private static final int MAX_EVENT_BYTES = 16 * 1024 * 1024;

  private final SseEventReader events = new SseEventReader(MAX_EVENT_BYTES);
  private boolean done;

  /** The frames for the next piece of the events, split anywhere; null once {@link #done()}. */
  public Buffer chunk(Buffer upstream) {
    if (done) {
      return null;
    }
    Buffer out = Buffer.buffer();
    try {
      events.feed(upstream.getBytes(), 0, upstream.length(), (event, data) -> frame(event, data, out));
    } catch (SseEventReader.EventTooLarge tooLarge) {
      fail(out, "internalServerException", "the upstream sent an event larger than "
          + MAX_EVENT_BYTES + " bytes");
    }
    return out;
  }

  /** The frames for an event the stream ended in the middle of, or null. */
  public Buffer end() {
    if (done) {
      return null;
    }
    Buffer out = Buffer.buffer();
    events.end((event, data) -> frame(event, data, out));
    return out.length() == 0 ? null : out;
  }

  /** Whether an error ended the stream: nothing is framed after its exception. */
  public boolean done() {
    return done;
  }

  private void frame(String event, String data, Buffer out) {
    if (done) {
      return;
    }
    if (event.equals("error")) {
      String type = null;
      String message = data;
      try {
        JsonObject error = new JsonObject(data).getJsonObject("error", new JsonObject());
        type = error.getString("type");
        message = error.getString("message", "");
      } catch (DecodeException | ClassCastException notAnthropic) {
        // the event's text is still the best message there is
      }
      fail(out, AwsEventStream.streamExceptionType(type), message);
      return;
    }
    if (event.equals("ping")) {
      // Bedrock's stream has no keep-alive events: Anthropic's ping is dropped, as Bedrock drops it
      return;
    }
    out.appendBytes(AwsEventStream.chunk(data.getBytes(StandardCharsets.UTF_8)));
  }

  private void fail(Buffer out, String exceptionType, String message) {
    done = true;
    out.appendBytes(AwsEventStream.exception(exceptionType, message));
  }
}
