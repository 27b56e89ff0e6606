package dev.affinity.router;

import dev.affinity.model.GatewayReply;
import dev.affinity.model.GatewayRequest;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.provider.UpstreamCalls;
import dev.affinity.router.ingress.HttpVerticle;
import dev.affinity.router.node.RoutingLoop;
import dev.affinity.router.routing.NodeRouter;
import dev.affinity.router.routing.RoutingVerticle;
import io.vertx.core.Context;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.internal.VertxInternal;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

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

  /**
   * Puts an observer in front of both hops inside each of the node's stacks: {@code routed} is shown every request
   * an HTTP verticle hands its router, {@code called} every call a router hands a provider verticle, each on the
   * thread that makes it, before it goes on unchanged.
   */
  public static void observe(TestGateway gateway, Consumer<GatewayRequest> routed, Consumer<ProviderCall> called)
      throws ReflectiveOperationException {
    for (List<Object> loop : of(gateway)) {
      for (Object member : loop) {
        if (member instanceof HttpVerticle http) {
          NodeRouter router = (NodeRouter) field(HttpVerticle.class, "router").get(http);
          field(HttpVerticle.class, "router").set(http, (NodeRouter) request -> {
            routed.accept(request);
            return router.route(request);
          });
        } else if (member instanceof RoutingVerticle router) {
          Map<String, UpstreamCalls> observed = new HashMap<>();
          ((Map<?, ?>) field(RoutingVerticle.class, "providers").get(router)).forEach((name, provider) ->
              observed.put((String) name, new ObservedProvider((UpstreamCalls) provider, called)));
          field(RoutingVerticle.class, "providers").set(router, observed);
        }
      }
    }
  }

  /** A provider verticle that shows each call it is given, then makes it. */
  private record ObservedProvider(UpstreamCalls provider, Consumer<ProviderCall> called) implements UpstreamCalls {
    @Override
    public Future<GatewayReply> call(ProviderCall call) {
      called.accept(call);
      return provider.call(call);
    }

    @Override
    public Future<?> deploy(Context context) throws Exception {
      return provider.deploy(context);
    }

    @Override
    public Future<?> undeploy(Context context) throws Exception {
      return provider.undeploy(context);
    }
  }

  private static Field field(Class<?> owner, String name) throws NoSuchFieldException {
    Field field = owner.getDeclaredField(name);
    field.setAccessible(true);
    return field;
  }
}
