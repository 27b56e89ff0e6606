package dev.affinity.router.node;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The frame guard's reading of an event-bus connection: lengths found wherever the reads split them. */
class FrameLengthsTest {

  private static Buffer frame(int declared, int bodyBytes) {
    return Buffer.buffer().appendInt(declared).appendBytes(new byte[bodyBytes]);
  }

  @Test
  void framesUpToTheLimitPassInAnySplitAndTheFirstLongerOneIsRefused() {
    Buffer stream = Buffer.buffer().appendBuffer(frame(100, 100)).appendBuffer(frame(1, 1))
        .appendBuffer(frame(100, 100)).appendBuffer(frame(101, 0));
    // the same bytes read whole, byte by byte, and in reads of 3 and 7 bytes: lengths straddle the reads
    for (int read : new int[] {stream.length(), 1, 3, 7}) {
      FrameLengths frames = new FrameLengths(100);
      int at = 0;
      boolean passed = true;
      int refusedAt = -1;
      while (at < stream.length()) {
        int end = Math.min(stream.length(), at + read);
        passed = frames.pass(stream.getBuffer(at, end));
        if (!passed) {
          refusedAt = end;
          break;
        }
        at = end;
      }
      assertThat(passed).as("read size %d", read).isFalse();
      assertThat(frames.refusedLength()).isEqualTo(101);
      // refused as soon as the fourth byte of the long length arrives, before any byte of its frame
      assertThat(refusedAt).as("read size %d", read).isGreaterThan(stream.length() - 4 - read)
          .isLessThanOrEqualTo(stream.length());
      assertThat(frames.pass(Buffer.buffer(new byte[] {0}))).as("refused for good").isFalse();
    }
  }

  @Test
  void aHugeOrANegativeOrAnEmptyFrameIsRefusedAtItsLength() {
    FrameLengths huge = new FrameLengths(32L * 1024 * 1024);
    assertThat(huge.pass(Buffer.buffer().appendInt(Integer.MAX_VALUE))).isFalse();
    assertThat(huge.refusedLength()).isEqualTo(Integer.MAX_VALUE);

    FrameLengths negative = new FrameLengths(32L * 1024 * 1024);
    assertThat(negative.pass(Buffer.buffer().appendInt(-1))).isFalse();
    assertThat(negative.refusedLength()).isEqualTo(0xFFFF_FFFFL);

    FrameLengths empty = new FrameLengths(32L * 1024 * 1024);
    assertThat(empty.pass(Buffer.buffer().appendInt(0))).isFalse();
    assertThat(empty.refusedLength()).isZero();
  }

  @Test
  void aFrameOfExactlyTheLimitPassesWhateverItsBytesLookLike() {
    FrameLengths frames = new FrameLengths(8);
    // body bytes that would read as a huge length must be skipped, not read
    Buffer body = Buffer.buffer().appendInt(Integer.MAX_VALUE).appendInt(-1);
    assertThat(frames.pass(Buffer.buffer().appendInt(8).appendBuffer(body).appendInt(8))).isTrue();
    assertThat(frames.pass(body)).isTrue();
    assertThat(frames.refusedLength()).isEqualTo(-1);
  }
}
