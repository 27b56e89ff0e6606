package dev.affinity.provider;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Event loops for tests of what a node's loops share. */
public final class EventLoops {

  private EventLoops() {
  }

  /** A context on an event loop of its own: Vert.x gives each deployment the next loop. */
  public static Context newLoop(Vertx vertx) throws Exception {
    CompletableFuture<Context> made = new CompletableFuture<>();
    vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        made.complete(context);
        return Future.succeededFuture();
      }
    });
    return made.get(10, TimeUnit.SECONDS);
  }
}
