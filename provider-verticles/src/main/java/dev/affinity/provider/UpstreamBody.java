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
 */
public final class UpstreamBody implements BodyStream {

  private static final Logger LOG = Logger.getLogger(UpstreamBody.class.getName());

  private final HttpClientResponse response;
  private final Context upstream;
  private final StreamTranslation translation;
  private final Function<Throwable, CallOutcome> onFinish;
  private final Promise<CallOutcome> outcome = Promise.promise();
  private Handler<Buffer> dataHandler;
  private Handler<Void> clientEndHandler;
  private volatile Context consumer;
  private boolean finished;
  private final long idleTimeoutMillis;
  private long idleTimer = -1;
  private long lastHeardNanos;
  private volatile long firstChunkAtNanos;

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

  @Override
  public UpstreamBody handler(Handler<Buffer> handler) {
    captureConsumer();
    whileOpen(() -> {
      dataHandler = handler;
      response.handler(handler == null ? null : chunk -> {
        if (firstChunkAtNanos == 0) {
          firstChunkAtNanos = System.nanoTime();
        }
        watchForSilence();
        Buffer out = translation.chunk(chunk);
        if (out != null && out.length() > 0) {
          toConsumer(handler, out);
        }
        if (translation.done()) {
          abandon();
        }
      });
    });
    return this;
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
    Buffer tail = translation.end();
    finish(null);
    if (tail != null && tail.length() > 0 && dataHandler != null) {
      toConsumer(dataHandler, tail);
    }
    if (clientEndHandler != null) {
      toConsumer(clientEndHandler, null);
    }
    response.request().reset();
  }

  @Override
  public UpstreamBody endHandler(Handler<Void> endHandler) {
    captureConsumer();
    whileOpen(() -> {
      clientEndHandler = endHandler;
      response.endHandler(v -> endOfUpstream(v));
    });
    return this;
  }

  private void endOfUpstream(Void v) {
    // what the translation still holds (a frame cut short, the closing frames) is read before the outcome
    Buffer tail = translation.end();
    finish(null);
    if (tail != null && tail.length() > 0 && dataHandler != null) {
      toConsumer(dataHandler, tail);
    }
    if (clientEndHandler != null) {
      toConsumer(clientEndHandler, v);
    }
  }

  @Override
  public UpstreamBody exceptionHandler(Handler<Throwable> handler) {
    captureConsumer();
    whileOpen(() -> response.exceptionHandler(failure -> {
      finish(failure);
      if (handler != null) {
        toConsumer(handler, failure);
      }
    }));
    return this;
  }

  @Override
  public UpstreamBody pause() {
    onUpstream(() -> {
      stopWatching(); // a slow client is not a silent upstream
      response.pause();
    });
    return this;
  }

  @Override
  public UpstreamBody resume() {
    onUpstream(() -> {
      watchForSilence();
      response.resume();
    });
    return this;
  }

  @Override
  public UpstreamBody fetch(long amount) {
    onUpstream(() -> {
      watchForSilence();
      response.fetch(amount);
    });
    return this;
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

  @Override
  public void cancel() {
    whileOpen(() -> {
      finish(new ClientGoneException());
      response.handler(null);
      response.endHandler(null);
      response.exceptionHandler(null);
      response.request().reset();
    });
  }

  /**
   * Handler changes and cancellation once the upstream answer is over are moot (a pipe unregisters its handlers
   * when it completes), and Vert.x refuses them on an ended response: they are dropped.
   */
  private void whileOpen(Runnable action) {
    onUpstream(() -> {
      if (!finished) {
        action.run();
      }
    });
  }

  private void captureConsumer() {
    if (consumer == null) {
      consumer = Vertx.currentContext();
    }
  }

  private <T> void toConsumer(Handler<T> handler, T event) {
    Context target = consumer;
    if (target == null || target == upstream) {
      deliver(handler, event);
    } else {
      target.runOnContext(v -> deliver(handler, event));
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
