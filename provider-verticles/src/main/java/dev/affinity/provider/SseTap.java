package dev.affinity.provider;

import dev.affinity.model.TokenUsage;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Watches a server-sent-event stream go by, line by line, for what the gateway needs to learn from it (usage,
 * errors). It never changes or holds back the bytes: chunks are split into lines only to look at them, and a line
 * longer than {@link #MAX_LINE} is skipped rather than buffered.
 */
public abstract class SseTap {

  public static final int MAX_LINE = 1 << 20;

  // a plain array, not a ByteArrayOutputStream: this loop sees every byte of every stream, and that one locks per byte
  private byte[] line = new byte[256];
  private int lineLength;
  private boolean lineTooLong;
  private String event = "";

  public final void feed(Buffer chunk) {
    byte[] bytes = chunk.getBytes();
    for (byte b : bytes) {
      if (b == '\n') {
        if (!lineTooLong) {
          onLine(new String(line, 0, lineLength, StandardCharsets.UTF_8));
        }
        lineLength = 0;
        lineTooLong = false;
      } else if (b != '\r' && !lineTooLong) {
        if (lineLength >= MAX_LINE) {
          lineTooLong = true;
          lineLength = 0;
        } else {
          if (lineLength == line.length) {
            line = Arrays.copyOf(line, Math.min(MAX_LINE, line.length * 2));
          }
          line[lineLength++] = b;
        }
      }
    }
  }

  private void onLine(String text) {
    if (text.isEmpty()) {
      event = "";
    } else if (text.startsWith("event:")) {
      event = text.substring(6).trim();
    } else if (text.startsWith("data:")) {
      onData(event, text.substring(5).trim());
    }
  }

  /** One {@code data:} line, with the type of the event it belongs to ("" when the stream names none). */
  protected abstract void onData(String event, String data);

  /** The usage the stream reported so far. */
  public abstract TokenUsage usage();

  /** The type of an error the stream reported, or null. */
  public abstract String errorType();
}
