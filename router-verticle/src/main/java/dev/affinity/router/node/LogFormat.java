package dev.affinity.router.node;

import io.vertx.core.json.JsonObject;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * The node's log formats ({@code --log-format}): one line per record, the time in UTC first. In neither can a
 * message break its line: the text format escapes line breaks and control characters in every message, and the JSON
 * format is one JSON object per line.
 */
public abstract class LogFormat extends Formatter {

  /** Parses {@code --log-format}; null when it names no format. */
  public static String named(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.equals("text") ? Text.class.getName() : lower.equals("json") ? Json.class.getName() : null;
  }

  static String time(LogRecord record) {
    return record.getInstant().truncatedTo(ChronoUnit.MILLIS).toString();
  }

  static String stackTrace(Throwable thrown) {
    StringWriter trace = new StringWriter();
    thrown.printStackTrace(new PrintWriter(trace));
    return trace.toString();
  }

  /** {@code 2026-01-05T10:00:00.123Z INFO    logger message}, then a stack trace if there is one. */
  public static final class Text extends LogFormat {
    @Override
    public String format(LogRecord record) {
      StringBuilder line = new StringBuilder(time(record)).append(' ')
          .append(String.format("%-7s", record.getLevel().getName())).append(' ')
          .append(record.getLoggerName()).append(' ');
      String message = record instanceof LogLine.Record fields ? fields.line().text() : formatMessage(record);
      if (message != null && message.chars().anyMatch(c -> c < ' ' && c != '\t')) {
        LogLine.escape(message, line);
      } else {
        line.append(message);
      }
      line.append(System.lineSeparator());
      if (record.getThrown() != null) {
        line.append(stackTrace(record.getThrown()));
      }
      return line.toString();
    }
  }

  /** {@code {"time":...,"level":...,"logger":...,"message":...}}; a line of fields has its fields as keys. */
  public static final class Json extends LogFormat {
    @Override
    public String format(LogRecord record) {
      JsonObject line = new JsonObject().put("time", time(record)).put("level", record.getLevel().getName())
          .put("logger", record.getLoggerName());
      if (record instanceof LogLine.Record fields) {
        fields.line().fields().forEach((key, value) ->
            line.put(key, value instanceof Number || value instanceof Boolean ? value : String.valueOf(value)));
      } else {
        line.put("message", formatMessage(record));
      }
      if (record.getThrown() != null) {
        line.put("error", stackTrace(record.getThrown()));
      }
      return line.encode() + System.lineSeparator();
    }
  }
}
