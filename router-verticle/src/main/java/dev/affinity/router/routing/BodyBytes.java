package dev.affinity.router.routing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;

import java.io.IOException;

/**
 * A request body's bytes where they are, without the copy {@link Buffer#getBytes()} makes: a 50 KB body is read by
 * the parser and by the model rewrite in place, and the rewritten body shares the client's bytes.
 */
public final class BodyBytes {

  /** Reads a region of a byte array. */
  public interface Reader<T> {
    T read(byte[] bytes, int offset, int length) throws IOException;
  }

  private BodyBytes() {
  }

  /** Hands {@code body}'s bytes to {@code reader}: its own array when it has one, else a copy. */
  public static <T> T read(Buffer body, Reader<T> reader) throws IOException {
    if (body instanceof BufferInternal internal) {
      ByteBuf bytes = internal.getByteBuf();
      if (bytes.hasArray()) {
        return reader.read(bytes.array(), bytes.arrayOffset() + bytes.readerIndex(), bytes.readableBytes());
      }
    }
    byte[] copy = body.getBytes();
    return reader.read(copy, 0, copy.length);
  }

  /** {@code body} with {@code [start, end)} replaced by {@code replacement}: the two parts kept are not copied. */
  static Buffer splice(Buffer body, int start, int end, byte[] replacement) {
    if (body instanceof BufferInternal internal) {
      ByteBuf bytes = internal.getByteBuf();
      return BufferInternal.buffer(Unpooled.wrappedBuffer(bytes.slice(bytes.readerIndex(), start),
          Unpooled.wrappedBuffer(replacement),
          bytes.slice(bytes.readerIndex() + end, bytes.readableBytes() - end)));
    }
    return Buffer.buffer(body.length() - (end - start) + replacement.length).appendBuffer(body, 0, start)
        .appendBytes(replacement).appendBuffer(body, end, body.length() - end);
  }
}
