package dev.affinity.provider.translate;


/**
 * Assembles server-sent events from bytes that arrive in arbitrary pieces. Holds at most the one event in progress
 * (its current line and the data lines so far), and refuses an event larger than a bound instead of growing without
 * limit. Lines end in LF, CRLF or CR, per the SSE specification; a line is decoded only once complete, so a UTF-8
 * character split across pieces is decoded whole.
 */
final class SseEventReader {

  /** Receives each complete event. */
  interface Listener {
    void onEvent(String event, String data);
  }

  static final class EventTooLarge extends RuntimeException {
    EventTooLarge() {
      super("server-sent event larger than the bound", null, false, false);
    }
  }

  private final int maxEventBytes;
  private final LineBytes line = new LineBytes();
  private final StringBuilder data = new StringBuilder();
  private String event = "";
  private boolean hasData;
  private boolean afterCr;
  private int eventBytes;

  SseEventReader(int maxEventBytes) {
    this.maxEventBytes = maxEventBytes;
  }

  /** @throws EventTooLarge when the event in progress outgrows the bound */
  void feed(byte[] bytes, int offset, int length, Listener listener) {
    for (int i = offset; i < offset + length; i++) {
      byte b = bytes[i];
      if (b == '\n' && afterCr) {
        afterCr = false;
        continue;
      }
      afterCr = b == '\r';
      if (b == '\n' || b == '\r') {
        onLine(line.take(), listener);
      } else {
        if (++eventBytes > maxEventBytes) {
          throw new EventTooLarge();
        }
        line.append(b);
      }
    }
  }

  /** Dispatches an event the stream ended in the middle of (a last blank line missing), if it has data. */
  void end(Listener listener) {
    if (line.length() > 0) {
      onLine(line.take(), listener);
    }
    onLine("", listener);
  }

  private void onLine(String text, Listener listener) {
    if (text.isEmpty()) {
      if (hasData) {
        String completed = data.toString();
        String name = event;
        reset();
        listener.onEvent(name, completed);
      } else {
        reset();
      }
      return;
    }
    if (text.charAt(0) == ':') {
      return;
    }
    int colon = text.indexOf(':');
    String field = colon < 0 ? text : text.substring(0, colon);
    String value = colon < 0 ? "" : text.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    if (field.equals("event")) {
      event = value;
    } else if (field.equals("data")) {
      if (hasData) {
        data.append('\n');
      }
      data.append(value);
      hasData = true;
    }
  }

  private void reset() {
    data.setLength(0);
    event = "";
    hasData = false;
    eventBytes = 0;
  }
}
