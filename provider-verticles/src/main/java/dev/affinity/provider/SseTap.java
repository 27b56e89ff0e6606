package dev.affinity.provider;

import dev.affinity.model.TokenUsage;
import dev.affinity.provider.translate.LineBytes;
import io.vertx.core.buffer.Buffer;

/**
 * Watches a server-sent-event stream go by, line by line, for what the gateway needs to learn from it (usage,
 * errors). It never changes or holds back the bytes: chunks are split into lines only to look at them, and a line
 * longer than {@link #MAX_LINE} is skipped rather than buffered.
 */
public abstract class SseTap {

  public static final int MAX_LINE = 1 << 20;

  private final LineBytes line = new LineBytes();
  private boolean lineTooLong;
  private String event = "";

  public final void feed(Buffer chunk) {
    byte[] bytes = chunk.getBytes();
    for (byte b : bytes) {
      if (b == '\n') {
        if (!lineTooLong) {
          onLine(line.take());
        }
        line.clear();
        lineTooLong = false;
      } else if (b != '\r' && !lineTooLong) {
        if (line.length() >= MAX_LINE) {
          lineTooLong = true;
          line.clear();
        } else {
          line.append(b);
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
