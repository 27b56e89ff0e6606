package dev.affinity.router.node;

import io.vertx.core.buffer.Buffer;

/**
 * Follows one event-bus connection's frames as its bytes pass, without keeping them: each Vert.x frame is a 4-byte
 * big-endian length, then that many bytes ({@code ClusteredMessage.encodeToWire}). A length above the bound, or not
 * positive (Vert.x never writes one; its parser would throw on it), refuses the connection for good. Only the
 * lengths are read: the bytes of a frame are skipped over, whatever size the reads come in.
 */
final class FrameLengths {

  private final long maxFrameBytes;
  /** Bytes of the current frame still to pass; 0 while a length is being read. */
  private long bodyLeft;
  private int lengthBytesRead;
  private int length;
  private long refused = -1;

  /** @param maxFrameBytes the largest frame accepted, not counting its 4-byte length */
  FrameLengths(long maxFrameBytes) {
    if (maxFrameBytes < 1) {
      throw new IllegalArgumentException("maxFrameBytes must be positive");
    }
    this.maxFrameBytes = maxFrameBytes;
  }

  /**
   * Reads the lengths that begin in {@code bytes}, the next bytes of the connection.
   *
   * @return false once a length was refused (then for every later call too): the connection must be closed
   */
  boolean pass(Buffer bytes) {
    if (refused >= 0) {
      return false;
    }
    int at = 0;
    int end = bytes.length();
    while (at < end) {
      if (bodyLeft > 0) {
        int skipped = (int) Math.min(bodyLeft, end - at);
        bodyLeft -= skipped;
        at += skipped;
      } else {
        length = (length << 8) | (bytes.getByte(at++) & 0xff);
        if (++lengthBytesRead == 4) {
          if (length < 1 || length > maxFrameBytes) {
            // unsigned, so that a declared length with the top bit set reads as the size it claims
            refused = Integer.toUnsignedLong(length);
            return false;
          }
          bodyLeft = length;
          lengthBytesRead = 0;
          length = 0;
        }
      }
    }
    return true;
  }

  /** The declared length that was refused, read as unsigned; -1 while none was. */
  long refusedLength() {
    return refused;
  }
}
