package dev.affinity.emulator;

import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

/** What every endpoint does alike when it plays a fault, and the timers that pace its answers. */
final class FaultPlay {

  private FaultPlay() {
  }

  /**
   * Plays a connection fault: {@code reset} closes the connection before any response, {@code stall} leaves the
   * request unanswered on purpose (the connection stays open until the client gives up).
   *
   * @return false for a status fault, which the endpoint answers in its own API's error shape
   */
  static boolean connectionFault(RoutingContext ctx, Fault fault, Runnable countError) {
    switch (fault.type()) {
      case RESET -> {
        countError.run();
        ctx.request().connection().close();
        return true;
      }
      case STALL -> {
        countError.run();
        return true;
      }
      case STATUS -> {
        return false;
      }
      default -> throw new IllegalStateException("not played here: " + fault.type());
    }
  }

  /** Runs {@code action} after {@code delayMillis}, or now when there is no delay (the zero-latency mode). */
  static void later(Vertx vertx, long delayMillis, Runnable action) {
    if (delayMillis <= 0) {
      action.run();
    } else {
      vertx.setTimer(delayMillis, id -> action.run());
    }
  }
}
