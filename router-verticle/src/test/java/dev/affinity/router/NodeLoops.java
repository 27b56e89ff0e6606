package dev.affinity.router;

import dev.affinity.router.node.RoutingLoop;
import io.vertx.core.Deployable;
import io.vertx.core.internal.VertxInternal;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;

/**
 * The verticles of a running node's event-loop stacks ({@link RoutingLoop}: providers, router, front ends), for
 * tests that look inside a whole node. Found through Vert.x's deployment manager and read by reflection: the node
 * offers no hook for this, on purpose.
 */
public final class NodeLoops {

  private NodeLoops() {
  }

  /** Each {@link RoutingLoop} of the node's, as the list of its members in the order they started. */
  public static List<List<Object>> of(TestGateway gateway) throws ReflectiveOperationException {
    List<List<Object>> loops = new ArrayList<>();
    for (Deployable instance : ((VertxInternal) gateway.node().vertx()).deploymentManager().deployments().stream()
        .flatMap(deployment -> deployment.deployment().instances().stream()).toList()) {
      if (instance instanceof RoutingLoop loop) {
        loops.add(List.copyOf((List<?>) field(RoutingLoop.class, "members").get(loop)));
      }
    }
    return loops;
  }

  /** A private field of {@code owner}, made accessible. */
  public static Field field(Class<?> owner, String name) throws NoSuchFieldException {
    Field field = owner.getDeclaredField(name);
    field.setAccessible(true);
    return field;
  }
}
