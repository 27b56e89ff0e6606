package dev.affinity.emulator;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;

/**
 * Writes a streamed answer's events at the model's output rate, whatever the wire format (SSE, OpenAI chunks,
 * Bedrock event-stream frames): each paced event after the first waits {@code pace} milliseconds; the others go at
 * once. Stops quietly when the client has gone.
 */
final class PacedStream {

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
    emit(vertx, response, 0, count, pace, paced, render, () -> false, done);
  }

  /**
   * Events {@code from} to {@code count}, as above; once {@code over} says so, the response ends where it is and
   * {@code done} is not run.
   */
  static void emit(Vertx vertx, HttpServerResponse response, int from, int count, long pace, IntPredicate paced,
                   IntFunction<Buffer> render, BooleanSupplier over, Runnable done) {
    for (int i = from; i < count; i++) {
      if (response.closed()) {
        return;
      }
      if (over.getAsBoolean()) {
        response.end();
        return;
      }
      if (pace > 0 && i > from && paced.test(i) && paced.test(i - 1)) {
        int resumeAt = i;
        vertx.setTimer(pace, id -> emit(vertx, response, resumeAt, count, pace, paced, render, over, done));
        return;
      }
      response.write(render.apply(i));
    }
    response.end();
    done.run();
  }
}
