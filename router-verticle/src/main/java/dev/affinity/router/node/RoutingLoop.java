package dev.affinity.router.node;

import io.vertx.core.Context;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

import java.util.ArrayList;
import java.util.List;

/**
 * The router and the provider verticles, deployed together on one event loop. Each keeps its own state and there is
 * one instance of each; the router calls a provider as a method ({@code UpstreamCalls}: a {@code ProviderCall} in,
 * the call's one outcome back), which runs at once on this loop's thread. Apart, every request crossed to the
 * provider's loop and back: two hand-offs, each a wake-up of another thread, which on a busy machine waits for a core
 * (see docs/benchmarks.md, "The hot path at the floor").
 *
 * <p>The members start in the order given (providers first, so the router's first call finds its provider) and stop
 * in the reverse order. The deployment's config is the providers' ({@code max_connections_per_host}...).
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
