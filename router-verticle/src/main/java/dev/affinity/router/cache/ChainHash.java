package dev.affinity.router.cache;

import com.dynatrace.hash4j.hashing.HashStream128;
import com.dynatrace.hash4j.hashing.HashValue128;
import com.dynatrace.hash4j.hashing.Hashing;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The 128-bit hash a prefix chain is built with: fed bytes, then asked for the 16 bytes of what it was fed since the
 * last time, which starts it afresh. One per chain, not shared.
 *
 * <p>{@link Kind#XXH3_128} is the one the chains use (chosen by the numbers in docs/benchmarks.md; the collision
 * argument is in docs/affinity.md). The others are kept for the benchmark that compares them.
 */
public abstract class ChainHash {

  /** The functions measured. */
  public enum Kind { XXH3_128, MURMUR3_128, SHA_256 }

  public static final int BYTES = 16;

  /** A fresh hash of {@code kind}. */
  public static ChainHash of(Kind kind) {
    return switch (kind) {
      case XXH3_128 -> new Streamed(Hashing.xxh3_128().hashStream());
      case MURMUR3_128 -> new Streamed(Hashing.murmur3_128().hashStream());
      case SHA_256 -> new Sha256();
    };
  }

  abstract void update(byte b);

  abstract void update(byte[] bytes, int offset, int length);

  final void update(byte[] bytes) {
    update(bytes, 0, bytes.length);
  }

  /** Writes the hash of what was fed since the last call into {@code out} at {@code offset}, and starts afresh. */
  abstract void finish(byte[] out, int offset);

  private static final class Streamed extends ChainHash {
    private final HashStream128 stream;

    Streamed(HashStream128 stream) {
      this.stream = stream;
    }

    @Override
    void update(byte b) {
      stream.putByte(b);
    }

    @Override
    void update(byte[] bytes, int offset, int length) {
      stream.putBytes(bytes, offset, length);
    }

    @Override
    void finish(byte[] out, int offset) {
      HashValue128 value = stream.get();
      writeLong(out, offset, value.getMostSignificantBits());
      writeLong(out, offset + 8, value.getLeastSignificantBits());
      stream.reset();
    }

    private static void writeLong(byte[] out, int offset, long value) {
      for (int i = 7; i >= 0; i--) {
        out[offset + i] = (byte) value;
        value >>>= 8;
      }
    }
  }

  /** SHA-256 truncated to 128 bits: what the chains used before key version 2. */
  private static final class Sha256 extends ChainHash {
    private final MessageDigest digest;
    private final byte[] full = new byte[32];

    Sha256() {
      try {
        digest = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is not available", e);
      }
    }

    @Override
    void update(byte b) {
      digest.update(b);
    }

    @Override
    void update(byte[] bytes, int offset, int length) {
      digest.update(bytes, offset, length);
    }

    @Override
    void finish(byte[] out, int offset) {
      try {
        digest.digest(full, 0, full.length);
      } catch (java.security.DigestException e) {
        throw new IllegalStateException("SHA-256 output does not fit 32 bytes", e);
      }
      System.arraycopy(full, 0, out, offset, BYTES);
    }
  }
}
