package dev.affinity.provider.translate;

import dev.affinity.model.TokenUsage;
import dev.affinity.provider.SseTap;
import io.vertx.core.buffer.Buffer;

/**
 * A stream the client gets as server-sent events in its upstream's event format: decoded when the upstream frames it
 * otherwise, and shown to a tap that reads the usage and errors as they go by. The bytes are not changed further.
 */
final class TappedStream implements StreamTranslation {

  private final StreamDecoder decoder;
  private final SseTap tap;
  private final String contentType;

  /** @param contentType what the client sees, or null for the upstream's own */
  TappedStream(StreamDecoder decoder, SseTap tap, String contentType) {
    this.decoder = decoder;
    this.tap = tap;
    this.contentType = contentType;
  }

  @Override
  public Buffer chunk(Buffer upstream) {
    return tapped(decoder.chunk(upstream));
  }

  @Override
  public Buffer end() {
    Buffer tail = tapped(decoder.end());
    return tail.length() == 0 ? null : tail;
  }

  private Buffer tapped(Buffer events) {
    if (events == null || events.length() == 0) {
      return Buffer.buffer();
    }
    tap.feed(events);
    return events;
  }

  @Override
  public boolean done() {
    return decoder.done();
  }

  @Override
  public TokenUsage usage() {
    return tap.usage();
  }

  @Override
  public String errorType() {
    return tap.errorType();
  }

  @Override
  public String contentType() {
    return contentType;
  }
}
