package dev.affinity.router.routing;

import dev.affinity.model.config.Deployment;
import io.vertx.core.buffer.Buffer;

import java.util.Map;

/**
 * Where a request goes and why ({@code unpinned}, {@code pinned}, {@code claimed}, {@code repinned}, ...).
 *
 * @param body    the body to send when the policy changed it (injected cache markers), or null to send the client's
 * @param warming pins this request claimed that stay warming up until it is answered: key → TTL in seconds
 */
public record Route(Deployment deployment, String kind, Buffer body, Map<String, Long> warming) {

  public Route {
    warming = Map.copyOf(warming);
  }

  public Route(Deployment deployment, String kind, Buffer body) {
    this(deployment, kind, body, Map.of());
  }

  public Route(Deployment deployment, String kind) {
    this(deployment, kind, null);
  }

  Route warming(Map<String, Long> pins) {
    return new Route(deployment, kind, body, pins);
  }
}
