package dev.affinity.provider.translate;

import dev.affinity.model.TokenUsage;
import io.vertx.core.buffer.Buffer;

import java.util.List;

/**
 * A stream as another pair makes it, rewritten into the client's API as it goes: what a client of the inner pair
 * would get is fed to a {@link PushedStream}, whose frames the client gets. Usage, errors and the end of the stream are
 * the inner pair's, which reads the upstream itself. Used where a pair is another pair with a different client API on
 * its client's side ({@link ChatOverMessages}, {@link ResponsesOverChat}).
 */
final class RewrittenStream implements StreamTranslation {

  private final StreamTranslation inner;
  private final PushedStream rewrite;

  RewrittenStream(StreamTranslation inner, PushedStream rewrite) {
    this.inner = inner;
    this.rewrite = rewrite;
  }

  @Override
  public Buffer chunk(Buffer upstream) {
    Buffer events = inner.chunk(upstream);
    return events.length() == 0 ? Buffer.buffer() : frames(rewrite.feed(events.getBytes()));
  }

  @Override
  public Buffer end() {
    Buffer tail = inner.end();
    Buffer out = tail == null || tail.length() == 0 ? Buffer.buffer() : frames(rewrite.feed(tail.getBytes()));
    out.appendBuffer(frames(rewrite.finish()));
    return out.length() == 0 ? null : out;
  }

  @Override
  public boolean done() {
    return inner.done();
  }

  @Override
  public TokenUsage usage() {
    return inner.usage();
  }

  @Override
  public String errorType() {
    return inner.errorType();
  }

  @Override
  public String contentType() {
    return inner.contentType();
  }

  private static Buffer frames(List<String> frames) {
    Buffer out = Buffer.buffer();
    frames.forEach(out::appendString);
    return out;
  }
}
