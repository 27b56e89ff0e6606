package dev.affinity.provider;

import dev.affinity.model.BodyStream;
import dev.affinity.model.CallOutcome;
import dev.affinity.provider.translate.StreamTranslation;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;

import java.util.function.Function;
import java.util.logging.Logger;

/**
 * A streamed upstream answer on its way to the client: every chunk goes through the call's
 * {@link StreamTranslation} and on as it came. Flow control is the upstream response's own, so a slow client pauses
 * the upstream read.
 *
 * <p>The upstream response lives on the provider verticle's event loop, the client's response on the ingress
 * verticle's. Each side is only touched from its own loop: events hop to the context that registered the handlers,
 * flow-control calls hop back to the upstream's. Both hops are FIFO, so order is kept.
 *
 * <p>What one upstream read brings (often several events, sometimes the end) crosses to the consumer as one
 * {@link Batch}: one hop and one write to the client rather than one per HTTP chunk. The read that brought the
 * answer's head is taken before the answer is handed over ({@link #firstRead}) and travels with it, so that the
 * first events reach the client without a round trip to the upstream's loop to ask for them.
 */
public final class UpstreamBody implements BodyStream {

  private static final Logger LOG = Logger.getLogger(UpstreamBody.class.getName());

  private final HttpClientResponse response;
  private final Context upstream;
  private final StreamTranslation translation;
  private final Function<Throwable, CallOutcome> onFinish;
  private final Promise<CallOutcome> outcome = Promise.promise();
  // the upstream loop's: the consumer's handlers as registered there, the read being collected
  private Handler<Buffer> dataHandler;
  private Handler<Void> clientEndHandler;
  private Handler<Throwable> clientExceptionHandler;
  private Batch collecting;
  private boolean firstReadOpen;
  private boolean finished;
  // the consumer cancelled while the upstream had still to name its background response: read on, relaying nothing
  private boolean consumerGone;
  private final long idleTimeoutMillis;
  private long idleTimer = -1;
  private long lastHeardNanos;
  private volatile long firstChunkAtNanos;
  private volatile Context consumer;
  // the consumer's: the first read, handed over with the answer and replayed at the consumer's first resume
  private volatile Batch early;
  private Handler<Buffer> consumerData;
  private Handler<Void> consumerEnd;
  private Handler<Throwable> consumerException;
  private boolean pausedWhileReplaying;

  /**
   * @param translation turns the upstream's bytes into the client's, and reads the usage on the way
   * @param idleTimeout how long the upstream may stay silent while the stream flows before the call is given up
   *                    (the upstream call timeout); 0 for never
   * @param onFinish    called once on the upstream context, with null when the stream ended, else the failure: the
   *                    call's outcome, which {@link #outcome()} then completes with; kept as long as the stream, so
   *                    it should hold small values, not the call and its bodies
   */
  public UpstreamBody(HttpClientResponse response, Context upstream, StreamTranslation translation, long idleTimeout,
                      Function<Throwable, CallOutcome> onFinish) {
    this.idleTimeoutMillis = idleTimeout;
    this.response = response;
    this.upstream = upstream;
    this.translation = translation;
    this.onFinish = onFinish;
    response.pause();
  }

  /**
   * Reads what arrived with the answer's head (the rest of that read, on the upstream context), then pauses the
   * upstream and runs {@code handOver}, which gives this stream to its consumer. Called once, before any consumer
   * has it: the consumer gets these bytes (and the end, when the answer was that short) at its first
   * {@link #resume}.
   */
  public void firstRead(Runnable handOver) {
    firstReadOpen = true;
    listen();
    response.resume();
    // a task on this loop runs once the read under way has been handled
    upstream.runOnContext(v -> {
      firstReadOpen = false;
      early = collecting;
      collecting = null;
      if (!finished) {
        stopWatching();
        response.pause();
        response.handler(null);
        response.endHandler(null);
        response.exceptionHandler(null);
      }
      handOver.run();
    });
  }

  /** Takes the upstream's data, end and failure (on the upstream context). */
  private void listen() {
    response.handler(this::onChunk);
    response.endHandler(this::endOfUpstream);
    response.exceptionHandler(this::onFailure);
  }

  @Override
  public UpstreamBody handler(Handler<Buffer> handler) {
    captureConsumer();
    consumerData = handler;
    whileConsumed(() -> {
      dataHandler = handler;
      response.handler(handler == null ? null : this::onChunk);
    });
    return this;
  }

  private void onChunk(Buffer chunk) {
    if (firstChunkAtNanos == 0) {
      firstChunkAtNanos = System.nanoTime();
    }
    watchForSilence();
    Buffer out = translation.chunk(chunk);
    if (consumerGone) {
      if (!translation.awaitingResponseId()) {
        endRead(new ClientGoneException());
      }
      return;
    }
    if (out != null && out.length() > 0) {
      batch().append(out);
    }
    if (translation.done()) {
      abandon();
    }
  }

  /** When the first chunk of the answer arrived ({@link System#nanoTime()}), or 0 before any did. */
  public long firstChunkAtNanos() {
    return firstChunkAtNanos;
  }

  /** Ends the client's stream now and drops the rest of the upstream answer (on the upstream context). */
  private void abandon() {
    response.handler(null);
    response.endHandler(null);
    response.exceptionHandler(null);
    endOfUpstream(null);
    response.request().reset();
  }

  @Override
  public UpstreamBody endHandler(Handler<Void> endHandler) {
    captureConsumer();
    consumerEnd = endHandler;
    whileConsumed(() -> {
      clientEndHandler = endHandler;
      response.endHandler(this::endOfUpstream);
    });
    return this;
  }

  private void endOfUpstream(Void v) {
    // what the translation still holds (a frame cut short, the closing frames) is read before the outcome
    Buffer tail = translation.end();
    finish(null);
    if (consumerGone) {
      return;
    }
    Batch last = batch();
    if (tail != null && tail.length() > 0) {
      last.append(tail);
    }
    last.ended = true;
  }

  @Override
  public UpstreamBody exceptionHandler(Handler<Throwable> handler) {
    captureConsumer();
    consumerException = handler;
    whileConsumed(() -> {
      clientExceptionHandler = handler;
      response.exceptionHandler(this::onFailure);
    });
    return this;
  }

  private void onFailure(Throwable failure) {
    finish(failure);
    if (!consumerGone) {
      batch().failure = failure;
    }
  }

  /**
   * The batch this read adds to, shipped to the consumer once the read has been handled (or with the answer, for
   * the first read).
   */
  private Batch batch() {
    if (collecting == null) {
      collecting = new Batch();
      if (!firstReadOpen) {
        upstream.runOnContext(v -> ship());
      }
    }
    return collecting;
  }

  private void ship() {
    Batch batch = collecting;
    collecting = null;
    if (batch == null) {
      return;
    }
    Handler<Buffer> data = dataHandler;
    Handler<Void> end = clientEndHandler;
    Handler<Throwable> failed = clientExceptionHandler;
    Context target = consumer;
    if (target == null || target == upstream) {
      batch.deliver(this, data, end, failed);
    } else {
      target.runOnContext(v -> batch.deliver(this, data, end, failed));
    }
  }

  @Override
  public UpstreamBody pause() {
    pausedWhileReplaying = true;
    whileConsumed(() -> {
      stopWatching(); // a slow client is not a silent upstream
      response.pause();
    });
    return this;
  }

  @Override
  public UpstreamBody resume() {
    if (replayedFirstRead()) {
      return this;
    }
    whileConsumed(() -> {
      watchForSilence();
      response.resume();
    });
    return this;
  }

  @Override
  public UpstreamBody fetch(long amount) {
    if (replayedFirstRead()) {
      return this;
    }
    whileConsumed(() -> {
      watchForSilence();
      response.fetch(amount);
    });
    return this;
  }

  /**
   * Hands the consumer the first read, at its first resume (on its context): true when the upstream is not to be
   * resumed after all, because the answer is over or the consumer paused while taking those bytes.
   */
  private boolean replayedFirstRead() {
    Batch first = early;
    if (first == null) {
      return false;
    }
    early = null;
    pausedWhileReplaying = false;
    first.deliver(this, consumerData, consumerEnd, consumerException);
    return pausedWhileReplaying || first.ended || first.failure != null;
  }

  /**
   * Notes that the upstream was heard from (or may speak again, after a pause) and makes sure the silence timer runs.
   * The client's request timeout covers the wait for the answer's head only; once the stream began, an upstream
   * that stalls would otherwise hold the client forever. One timer per stream, re-armed only when it fires, so a
   * chunk costs a clock read rather than a timer.
   */
  private void watchForSilence() {
    if (idleTimeoutMillis <= 0 || finished) {
      return;
    }
    lastHeardNanos = System.nanoTime();
    if (idleTimer < 0) {
      armSilenceTimer(idleTimeoutMillis);
    }
  }

  private void armSilenceTimer(long delayMillis) {
    idleTimer = upstream.owner().setTimer(delayMillis, id -> onUpstream(() -> {
      if (idleTimer != id || finished) {
        return;
      }
      idleTimer = -1;
      long silentMillis = (System.nanoTime() - lastHeardNanos) / 1_000_000;
      if (silentMillis >= idleTimeoutMillis) {
        response.request().reset(0, new UpstreamSilentException(idleTimeoutMillis));
      } else {
        armSilenceTimer(idleTimeoutMillis - silentMillis);
      }
    }));
  }

  private void stopWatching() {
    if (idleTimer >= 0) {
      upstream.owner().cancelTimer(idleTimer);
      idleTimer = -1;
    }
  }

  /**
   * Ends the upstream read for a consumer that no longer wants the answer. A background response the upstream has
   * not named yet runs on there regardless: the read goes on, relaying nothing, until its id came (and the outcome
   * carries it, so that the call is read back and booked), or the upstream ends, fails or falls silent.
   */
  @Override
  public void cancel() {
    whileConsumed(() -> {
      // no further data or end: what this read collected is dropped with the rest
      collecting = null;
      if (translation.awaitingResponseId()) {
        consumerGone = true;
        dataHandler = null;
        clientEndHandler = null;
        clientExceptionHandler = null;
        listen();
        watchForSilence();
        response.resume();
      } else {
        endRead(new ClientGoneException());
      }
    });
  }

  /** Finishes with {@code cause} and drops the rest of the upstream answer (on the upstream context). */
  private void endRead(Throwable cause) {
    finish(cause);
    response.handler(null);
    response.endHandler(null);
    response.exceptionHandler(null);
    response.request().reset();
  }

  /**
   * What the consumer asks (handlers, flow control, cancellation) once the upstream answer is over is moot (a pipe
   * unregisters its handlers when it completes), and Vert.x refuses it on an ended response; once the consumer
   * cancelled, the read is no longer the consumer's. Either way it is dropped.
   */
  private void whileConsumed(Runnable action) {
    onUpstream(() -> {
      if (!finished && !consumerGone) {
        action.run();
      }
    });
  }

  private void captureConsumer() {
    if (consumer == null) {
      consumer = Vertx.currentContext();
    }
  }

  /**
   * A consumer that throws cannot take the rest of the answer: typically a pipe writing to a client connection that
   * closed under it, before the close was reported. The upstream call is cancelled rather than left paused forever.
   */
  private <T> void deliver(Handler<T> handler, T event) {
    try {
      handler.handle(event);
    } catch (RuntimeException consumerGone) {
      LOG.fine(() -> "stream consumer failed, cancelling the upstream call: " + consumerGone);
      cancel();
    }
  }

  private void onUpstream(Runnable action) {
    if (Vertx.currentContext() == upstream) {
      action.run();
    } else {
      upstream.runOnContext(v -> action.run());
    }
  }

  private void finish(Throwable failure) {
    if (!finished) {
      finished = true;
      stopWatching();
      outcome.complete(onFinish.apply(failure));
    }
  }

  @Override
  public Future<CallOutcome> outcome() {
    return outcome.future();
  }

  /**
   * What one upstream read brought for the consumer: the translated bytes, then the end or the failure. Filled on
   * the upstream context, then handed to the consumer's and no longer touched there.
   */
  private static final class Batch {
    private Buffer data;
    private boolean ended;
    private Throwable failure;
    private boolean joined;

    void append(Buffer bytes) {
      if (data == null) {
        data = bytes;
      } else {
        // the first chunk may be the translation's or the connection's buffer: joined into one of our own
        if (!joined) {
          data = Buffer.buffer(data.length() + bytes.length()).appendBuffer(data);
          joined = true;
        }
        data.appendBuffer(bytes);
      }
    }

    void deliver(UpstreamBody body, Handler<Buffer> onData, Handler<Void> onEnd, Handler<Throwable> onFailure) {
      if (data != null && onData != null) {
        body.deliver(onData, data);
      }
      if (ended && onEnd != null) {
        body.deliver(onEnd, null);
      } else if (failure != null && onFailure != null) {
        body.deliver(onFailure, failure);
      }
    }
  }

  /** The upstream sent nothing for the call's timeout in the middle of a stream. */
  public static final class UpstreamSilentException extends RuntimeException {
    UpstreamSilentException(long millis) {
      super("upstream silent for " + millis + " ms mid-stream", null, false, false);
    }
  }

  /** The client went away before the answer was complete. */
  public static final class ClientGoneException extends RuntimeException {
    ClientGoneException() {
      super("client disconnected", null, false, false);
    }
  }
}
