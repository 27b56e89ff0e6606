package dev.affinity.provider.anthropic;

import dev.affinity.model.BodyStream;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;

import java.util.function.Consumer;

/**
 * A streamed upstream answer on its way to the client: every chunk is shown to the usage tap and passed on as it
 * came. Flow control is the upstream response's own, so a slow client pauses the upstream read.
 */
final class UpstreamBody implements BodyStream {

  private final HttpClientResponse response;
  private final SseUsageTap tap;
  private final Consumer<Throwable> onFinish;
  private boolean finished;

  /** @param onFinish called once, with null when the stream ended, or with the failure or cancellation */
  UpstreamBody(HttpClientResponse response, SseUsageTap tap, Consumer<Throwable> onFinish) {
    this.response = response;
    this.tap = tap;
    this.onFinish = onFinish;
    response.pause();
  }

  @Override
  public UpstreamBody handler(Handler<Buffer> handler) {
    if (handler == null) {
      response.handler(null);
    } else {
      response.handler(chunk -> {
        tap.feed(chunk);
        handler.handle(chunk);
      });
    }
    return this;
  }

  @Override
  public UpstreamBody endHandler(Handler<Void> endHandler) {
    response.endHandler(v -> {
      finish(null);
      if (endHandler != null) {
        endHandler.handle(v);
      }
    });
    return this;
  }

  @Override
  public UpstreamBody exceptionHandler(Handler<Throwable> handler) {
    response.exceptionHandler(failure -> {
      finish(failure);
      if (handler != null) {
        handler.handle(failure);
      }
    });
    return this;
  }

  @Override
  public UpstreamBody pause() {
    response.pause();
    return this;
  }

  @Override
  public UpstreamBody resume() {
    response.resume();
    return this;
  }

  @Override
  public UpstreamBody fetch(long amount) {
    response.fetch(amount);
    return this;
  }

  @Override
  public void cancel() {
    finish(new ClientGoneException());
    response.handler(null);
    response.endHandler(null);
    response.request().reset();
  }

  private void finish(Throwable failure) {
    if (!finished) {
      finished = true;
      onFinish.accept(failure);
    }
  }

  /** The client went away before the answer was complete. */
  static final class ClientGoneException extends RuntimeException {
    ClientGoneException() {
      super("client disconnected", null, false, false);
    }
  }
}
