package dev.affinity.provider.translate;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The bytes of a text line still being read, for the server-sent-event readers. A plain growing array, not a
 * {@code ByteArrayOutputStream}: those readers see every byte of every stream, and that one locks per byte written.
 */
public final class LineBytes {

  private byte[] bytes = new byte[256];
  private int length;

  public void append(byte b) {
    if (length == bytes.length) {
      bytes = Arrays.copyOf(bytes, bytes.length * 2);
    }
    bytes[length++] = b;
  }

  public int length() {
    return length;
  }

  public void clear() {
    length = 0;
  }

  /** The line as UTF-8 text; the line is empty after. */
  public String take() {
    String text = new String(bytes, 0, length, StandardCharsets.UTF_8);
    length = 0;
    return text;
  }
}
