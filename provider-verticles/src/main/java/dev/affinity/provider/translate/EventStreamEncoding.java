package dev.affinity.provider.translate;

import dev.affinity.model.AwsEventStream;
import dev.affinity.model.TokenUsage;
import io.vertx.core.buffer.Buffer;

/**
 * A stream of Anthropic's server-sent events, as a Bedrock InvokeModel client reads it: the frames of
 * {@code InvokeModelWithResponseStream} ({@link SseToEventStream}). The usage is the inner stream's.
 */
final class EventStreamEncoding implements StreamTranslation {

  private final StreamTranslation events;
  private final SseToEventStream frames = new SseToEventStream();

  EventStreamEncoding(StreamTranslation events) {
    this.events = events;
  }

  @Override
  public Buffer chunk(Buffer upstream) {
    Buffer out = frames.chunk(events.chunk(upstream));
    return out == null ? Buffer.buffer() : out;
  }

  @Override
  public Buffer end() {
    Buffer tail = events.end();
    Buffer out = Buffer.buffer();
    if (tail != null && tail.length() > 0) {
      Buffer framed = frames.chunk(tail);
      if (framed != null) {
        out.appendBuffer(framed);
      }
    }
    Buffer last = frames.end();
    if (last != null) {
      out.appendBuffer(last);
    }
    return out.length() == 0 ? null : out;
  }

  @Override
  public boolean done() {
    return events.done() || frames.done();
  }

  @Override
  public TokenUsage usage() {
    return events.usage();
  }

  @Override
  public String errorType() {
    return events.errorType();
  }

  @Override
  public String contentType() {
    return AwsEventStream.CONTENT_TYPE;
  }
}
