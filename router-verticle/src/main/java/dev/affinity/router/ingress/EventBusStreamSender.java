package dev.affinity.router.ingress;

import dev.affinity.model.BodyStream;
import dev.affinity.model.EventBusStream;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

/**
 * Pumps a streamed answer to a cluster member's stream address with a window of unacknowledged chunks, so a slow
 * caller slows the upstream read down instead of filling memory. See {@link EventBusStream} for the protocol.
 */
final class EventBusStreamSender {

  private final EventBus eventBus;
  private final String address;
  private final BodyStream body;
  private final long ackTimeoutMillis;
  private final Promise<Void> over = Promise.promise();
  private int unacknowledged;
  private boolean paused;
  private boolean done;

  EventBusStreamSender(EventBus eventBus, String address, BodyStream body, long ackTimeoutMillis) {
    this.eventBus = eventBus;
    this.address = address;
    this.body = body;
    this.ackTimeoutMillis = ackTimeoutMillis;
  }

  /** Starts pumping; the future completes when the stream is over: ended, failed, or cancelled. */
  Future<Void> start() {
    body.handler(this::send);
    body.endHandler(v -> finish(new DeliveryOptions().addHeader(EventBusStream.END, "true"), Buffer.buffer()));
    body.exceptionHandler(failure -> finish(new DeliveryOptions().addHeader(EventBusStream.ERROR, "true"),
        new JsonObject().put("type", "error").put("error", new JsonObject().put("type", "api_error")
            .put("message", "upstream stream interrupted: " + failure.getClass().getSimpleName())).toBuffer()));
    body.resume();
    return over.future();
  }

  private void send(Buffer chunk) {
    unacknowledged++;
    if (unacknowledged >= EventBusStream.WINDOW && !paused) {
      paused = true;
      body.pause();
    }
    eventBus.request(address, chunk, new DeliveryOptions().setSendTimeout(ackTimeoutMillis)).onComplete(ack -> {
      if (ack.failed()) {
        // the caller is gone or stuck: stop paying for an answer nobody reads
        if (!done) {
          done = true;
          body.cancel();
          over.complete();
        }
        return;
      }
      unacknowledged--;
      if (paused && unacknowledged < EventBusStream.WINDOW / 2) {
        paused = false;
        body.resume();
      }
    });
  }

  private void finish(DeliveryOptions marker, Buffer payload) {
    if (!done) {
      done = true;
      eventBus.send(address, payload, marker);
      over.complete();
    }
  }
}
