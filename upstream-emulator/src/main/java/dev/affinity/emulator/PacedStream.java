package dev.affinity.emulator;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

import java.util.function.IntFunction;
import java.util.function.IntPredicate;

/**
 * Writes a streamed answer's events at the model's output rate, whatever the wire format (SSE, OpenAI chunks,
 * Bedrock event-stream frames): each paced event after the first waits {@code pace} milliseconds; the others go at
 * once. Stops quietly when the client has gone.
 */
final class PacedStream {

  /** Where the events go: a client's response, or a background response's {@link EventLog}. */
  interface Sink {
    void write(Buffer event);

    /** Whether the events stop here, before the next one (the client went, the response was cancelled). */
    boolean stopped();

    /** Runs once the last event is written. */
    void end();

    /** Runs when the events stopped early. */
    default void cut() {
    }
  }

  private PacedStream() {
  }

  /**
   * @param count  how many events there are
   * @param paced  whether event {@code i} is an output delta that waits for the rate
   * @param render the bytes of event {@code i}
   * @param done   run once the last event is written and the response ended
   */
  static void emit(Vertx vertx, HttpServerResponse response, int count, long pace, IntPredicate paced,
                   IntFunction<Buffer> render, Runnable done) {
    emit(vertx, 0, count, pace, paced, render, new Sink() {
      @Override
      public void write(Buffer event) {
        response.write(event);
      }

      @Override
      public boolean stopped() {
        return response.closed();
      }

      @Override
      public void end() {
        response.end();
        done.run();
      }
    });
  }

  /** Events {@code from} to {@code count} into {@code sink}, as above. */
  static void emit(Vertx vertx, int from, int count, long pace, IntPredicate paced, IntFunction<Buffer> render,
                   Sink sink) {
    for (int i = from; i < count; i++) {
      if (sink.stopped()) {
        sink.cut();
        return;
      }
      if (pace > 0 && i > from && paced.test(i) && paced.test(i - 1)) {
        int resumeAt = i;
        vertx.setTimer(pace, id -> emit(vertx, resumeAt, count, pace, paced, render, sink));
        return;
      }
      sink.write(render.apply(i));
    }
    sink.end();
  }
}
