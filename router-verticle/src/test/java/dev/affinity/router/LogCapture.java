package dev.affinity.router;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/** Collects every log line written while it is installed, formatted as the node would print it. */
public final class LogCapture extends Handler implements AutoCloseable {

  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final SimpleFormatter formatter = new SimpleFormatter();
  private final Logger root = Logger.getLogger("");
  // held here: the log manager keeps loggers only weakly, and a collected one loses the level set on it
  private static final List<Logger> FINE = List.of(Logger.getLogger("dev.affinity"), Logger.getLogger("affinity"));

  private LogCapture() {
    setLevel(Level.ALL);
  }

  public static LogCapture install() {
    LogCapture capture = new LogCapture();
    capture.root.addHandler(capture);
    FINE.forEach(logger -> logger.setLevel(Level.FINE));
    return capture;
  }

  @Override
  public void publish(LogRecord record) {
    lines.add(formatter.format(record));
  }

  public List<String> lines() {
    return List.copyOf(lines);
  }

  public String all() {
    return String.join("", lines);
  }

  @Override
  public void flush() {
  }

  @Override
  public void close() {
    root.removeHandler(this);
  }
}
