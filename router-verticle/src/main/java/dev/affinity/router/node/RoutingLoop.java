package dev.affinity.router.node;

import io.vertx.core.Context;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

import java.util.ArrayList;
import java.util.List;

/**
 * One event loop's stack: the provider verticles, a router and the front ends, deployed together on one event loop,
 * one stack per core. Each member keeps its own state; a front end calls the router, and the router a provider, as a
 * method ({@code NodeRouter}, {@code UpstreamCalls}), which runs at once on this loop's thread: a request is read,
 * routed, sent upstream and answered without waking another thread (each hand-off is a wake-up that, on a busy
 * machine, waits for a core; see docs/benchmarks.md, "One stack per event loop").
 *
 * <p>The members start in the order given (providers first, so the router's first call finds its provider; the front
 * ends last, so a port that accepts connections can serve) and stop in the reverse order. The deployment's config is
 * the providers' ({@code max_connections_per_host}...).
 */
public final class RoutingLoop extends VerticleBase {

  private final List<Deployable> members;
  private final List<Deployable> started = new ArrayList<>();

  /** @param members the verticles to run on this loop, in the order they start */
  public RoutingLoop(List<? extends Deployable> members) {
    this.members = List.copyOf(members);
  }

  @Override
  public Future<?> start() {
    return startFrom(0);
  }

  private Future<?> startFrom(int index) {
    if (index == members.size()) {
      return Future.succeededFuture();
    }
    Deployable member = members.get(index);
    return deploy(member, context).compose(v -> {
      started.add(member);
      return startFrom(index + 1);
    });
  }

  @Override
  public Future<?> stop() {
    return stopFrom(started.size() - 1);
  }

  private Future<?> stopFrom(int index) {
    if (index < 0) {
      return Future.succeededFuture();
    }
    Deployable member = started.get(index);
    // a member that fails to stop does not keep the others running
    return undeploy(member, context).transform(done -> stopFrom(index - 1));
  }

  private static Future<?> deploy(Deployable member, Context context) {
    try {
      return member.deploy(context);
    } catch (Exception failed) {
      return Future.failedFuture(failed);
    }
  }

  private static Future<?> undeploy(Deployable member, Context context) {
    try {
      return member.undeploy(context);
    } catch (Exception failed) {
      return Future.failedFuture(failed);
    }
  }
}
