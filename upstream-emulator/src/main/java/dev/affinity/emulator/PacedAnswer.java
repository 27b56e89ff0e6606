package dev.affinity.emulator;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

import java.util.List;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;

/**
 * One answer in flight, in the steps every API plays alike. At the first token the prompt counts as processed (its
 * cache entries exist for other requests from then on, even if this client has gone); then come either the events,
 * paced by the latency model, or the whole answer once its output is generated. A {@code stall_mid_stream} fault
 * sends the first event (or a JSON answer's head) and then nothing. Subclasses say what each step is in their API.
 * Runs on the request's event loop.
 */
abstract class PacedAnswer {

  private final Vertx vertx;
  private final EmulatorState state;
  private final boolean stallAfterStart;
  final HttpServerResponse response;

  PacedAnswer(Vertx vertx, EmulatorState state, HttpServerResponse response, boolean stallAfterStart) {
    this.vertx = vertx;
    this.state = state;
    this.response = response;
    this.stallAfterStart = stallAfterStart;
  }

  /** Commits the prompt's cache entries, and books and charges its input tokens. */
  abstract void promptProcessed();

  /** Books a failed answer (the stall) in the account's counters. */
  abstract void countError();

  abstract boolean streaming();

  abstract long outputTokens();

  /** Opens the stream and sends its events through {@link #emit}. */
  abstract void stream();

  /** Sends the whole answer, the client still being there, and calls {@link #finished()}. */
  abstract void sendWhole();

  /** Books and charges the output tokens of an answer sent in full. */
  abstract void finished();

  /** The first token. */
  final void begin() {
    promptProcessed();
    if (response.closed()) {
      return;
    }
    if (stallAfterStart) {
      countError();
    }
    if (streaming()) {
      stream();
    } else if (stallAfterStart) {
      response.setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, AnthropicApi.APPLICATION_JSON).writeHead();
    } else {
      long generation = Math.max(0, outputTokens() - 1) * state.latency().millisPerOutputToken();
      FaultPlay.later(vertx, generation, () -> {
        if (!response.closed()) {
          sendWhole();
        }
      });
    }
  }

  /** Opens a server-sent-event stream and writes {@code events} through {@link #emit}. */
  final void emitEvents(List<? extends PacedEvent> events) {
    openEvents();
    emit(events.size(), i -> events.get(i).paced(), i -> events.get(i).toBuffer());
  }

  /** Makes the response a server-sent-event stream; nothing written yet. */
  final void openEvents() {
    response.setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
  }

  /** One event of a stream: its bytes, and whether it carries output tokens (and so waits for the output rate). */
  interface PacedEvent {
    boolean paced();

    Buffer toBuffer();
  }

  /**
   * Writes {@code count} events at the model's output rate, then ends the response and calls {@link #finished()};
   * when stalling, writes the first and stops.
   */
  final void emit(int count, IntPredicate paced, IntFunction<Buffer> frame) {
    if (stallAfterStart) {
      response.write(frame.apply(0));
      return;
    }
    PacedStream.emit(vertx, response, count, state.latency().millisPerOutputToken(), paced, frame, this::finished);
  }
}
