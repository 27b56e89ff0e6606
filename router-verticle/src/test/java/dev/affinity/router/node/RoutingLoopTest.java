package dev.affinity.router.node;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The members of one event loop's stack (providers, router, front ends): a call between them and its answer run on
 * one thread (made here over the local event bus, which keeps the test free of the node's own types; the node's
 * members call each other as methods, {@code RequestOnOneLoopTest}); members start in order, stop in the reverse
 * order, and read the deployment's config.
 */
class RoutingLoopTest {

  private final Vertx vertx = Vertx.vertx();
  private final List<String> events = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** Answers on {@code address} with the name of the thread that handled the call. */
  private final class Answering extends VerticleBase {
    private final String address;

    Answering(String address) {
      this.address = address;
    }

    @Override
    public Future<?> start() {
      events.add("start " + address + " " + config().getString("setting"));
      return vertx.eventBus().<String>localConsumer(address,
          message -> message.reply(Thread.currentThread().getName())).completion();
    }

    @Override
    public Future<?> stop() {
      events.add("stop " + address);
      return Future.succeededFuture();
    }
  }

  /** Calls {@code address} once started and records on which threads the call was served and answered. */
  private final class Calling extends VerticleBase {
    private final String address;
    final CopyOnWriteArrayList<String> threads = new CopyOnWriteArrayList<>();

    Calling(String address) {
      this.address = address;
    }

    @Override
    public Future<?> start() {
      events.add("start caller");
      return vertx.eventBus().<String>request(address, "call", new DeliveryOptions().setLocalOnly(true))
          .onSuccess(reply -> {
            threads.add(reply.body());
            threads.add(Thread.currentThread().getName());
          })
          .map(reply -> Thread.currentThread().getName());
    }

    @Override
    public Future<?> stop() {
      events.add("stop caller");
      return Future.succeededFuture();
    }
  }

  private String deploy(VerticleBase verticle, DeploymentOptions options) throws Exception {
    return vertx.deployVerticle(verticle, options).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void aCallBetweenMembersAndItsAnswerStayOnOneThread() throws Exception {
    Calling caller = new Calling("provider.a");
    String id = deploy(new RoutingLoop(List.of(new Answering("provider.a"), new Answering("provider.b"), caller)),
        new DeploymentOptions().setConfig(new JsonObject().put("setting", "shared")));

    assertThat(caller.threads).hasSize(2);
    assertThat(caller.threads.get(0)).as("the provider served the call on the router's thread")
        .isEqualTo(caller.threads.get(1)).startsWith("vert.x-eventloop-thread-");
    assertThat(events).containsExactly("start provider.a shared", "start provider.b shared", "start caller");

    vertx.undeploy(id).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertThat(events.subList(3, events.size())).containsExactly("stop caller", "stop provider.b", "stop provider.a");
  }

  @Test
  void separateDeploymentsAnswerFromAnotherThread() throws Exception {
    // the contrast: what the loop saves (Vert.x gives each deployment the next event loop)
    deploy(new Answering("provider.a"), new DeploymentOptions().setConfig(new JsonObject().put("setting", "own")));
    Calling caller = new Calling("provider.a");
    deploy(caller, new DeploymentOptions());

    assertThat(caller.threads.get(0)).isNotEqualTo(caller.threads.get(1));
  }

  @Test
  void aMemberThatCannotStartFailsTheLoopAndLaterMembersNeverStart() {
    VerticleBase broken = new VerticleBase() {
      @Override
      public Future<?> start() {
        return Future.failedFuture("no credentials");
      }
    };
    Throwable failure = catchThrowable(() -> deploy(new RoutingLoop(List.of(new Answering("provider.a"), broken,
        new Answering("provider.c"))), new DeploymentOptions()));

    assertThat(failure).hasMessageContaining("no credentials");
    assertThat(events).containsExactly("start provider.a null");
  }
}
