package dev.affinity.router.routing;

import dev.affinity.router.node.LogLine;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The per-request log line ({@code affinity.requests}), formatted and written on a thread of its own: formatting a
 * dozen numbers and writing to stderr is not work for the router's event loop. Lines keep their order. If the writer
 * falls more than {@value #BACKLOG} lines behind (stderr blocked), lines are dropped and the next line written says
 * how many.
 */
final class RequestLog {

  static final Logger REQUESTS = Logger.getLogger("affinity.requests");
  private static final int BACKLOG = 10_000;

  private final AtomicLong dropped = new AtomicLong();
  private final ThreadPoolExecutor writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
      new ArrayBlockingQueue<>(BACKLOG), runnable -> {
        Thread thread = new Thread(runnable, "affinity-request-log");
        thread.setDaemon(true);
        return thread;
      }, (rejected, executor) -> dropped.incrementAndGet());

  /** Writes the line {@code line} builds, later, if INFO is on for {@code affinity.requests}. */
  void write(Supplier<LogLine> line) {
    if (!REQUESTS.isLoggable(Level.INFO)) {
      return;
    }
    writer.execute(() -> {
      long lost = dropped.getAndSet(0);
      if (lost > 0) {
        REQUESTS.warning(lost + " request log line(s) dropped: the log could not keep up");
      }
      // the line itself, not its text: the JSON log format writes its fields as keys
      line.get().log(REQUESTS, Level.INFO);
    });
  }

  void close() {
    writer.shutdown();
  }
}
