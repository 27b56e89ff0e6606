package dev.affinity.router.node;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * One log line made of named fields, written {@code key=value} in the text format and as JSON keys in the JSON
 * format. A value with a space, a quote, an equals sign or a control character is quoted and escaped, so no value
 * (a path or a model name a client sent) can end the line or forge a field.
 */
public final class LogLine {

  private final Map<String, Object> fields = new LinkedHashMap<>();

  public LogLine with(String key, Object value) {
    if (value != null) {
      fields.put(key, value);
    }
    return this;
  }

  public Map<String, Object> fields() {
    return Collections.unmodifiableMap(fields);
  }

  /** The fields as {@code key=value} pairs. */
  public String text() {
    StringBuilder text = new StringBuilder();
    fields.forEach((key, value) -> {
      if (!text.isEmpty()) {
        text.append(' ');
      }
      text.append(key).append('=');
      String shown = String.valueOf(value);
      if (value instanceof Number || plain(shown)) {
        text.append(shown);
      } else {
        text.append('"');
        escape(shown, text);
        text.append('"');
      }
    });
    return text.toString();
  }

  /** Writes the line to {@code logger} at {@code level}, if that level is on. */
  public void log(Logger logger, Level level) {
    if (logger.isLoggable(level)) {
      Record record = new Record(level, this);
      record.setLoggerName(logger.getName());
      logger.log(record);
    }
  }

  /** At most {@code max} characters of a client's string, marked when cut. */
  public static String clip(String value, int max) {
    if (value == null || value.length() <= max) {
      return value;
    }
    return value.substring(0, max) + "...";
  }

  private static boolean plain(String value) {
    if (value.isEmpty()) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c >= 0x7f) {
        return false;
      }
    }
    return true;
  }

  /** Escapes quotes, backslashes and every control character (line breaks included) as JSON would. */
  static void escape(String value, StringBuilder out) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < ' ' || c == 0x7f || c == '\u2028' || c == '\u2029' || c == '\u0085') {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
  }

  /** A log record that carries its fields, for the JSON format. */
  static final class Record extends LogRecord {
    private static final long serialVersionUID = 1L;
    private final transient LogLine line;

    Record(Level level, LogLine line) {
      super(level, line.text());
      this.line = line;
    }

    LogLine line() {
      return line;
    }
  }
}
