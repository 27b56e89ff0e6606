package dev.affinity.router.routing;

import dev.affinity.model.RouteKind;
import dev.affinity.model.config.Deployment;
import io.vertx.core.buffer.Buffer;

import dev.affinity.router.cache.CacheTtl;

import java.util.List;
import java.util.Map;

/**
 * Where a request goes and why ({@link RouteKind}).
 *
 * @param body    the body to send when the policy changed it (injected cache markers), or null to send the client's
 * @param warming pins this request claimed that stay warming up until it is answered: key → TTL in seconds
 * @param warmingSince the warm-up mark those pins carry (0 when there are none): a move keeps it
 * @param held    the prefixes (and session) this request ties to its deployment, shortest first: the pins that move
 *                with it if the deployment fails before answering; empty when affinity is off
 * @param cachedTokens estimated tokens of the longest prefix the deployment already holds for this request (0 when
 *                none): what moving elsewhere would write again
 */
public record Route(Deployment deployment, RouteKind kind, Buffer body, Map<String, Long> warming,
                    long warmingSince, List<Held> held, long cachedTokens) {

  /** A pin key a request ties to its deployment, with its TTL. */
  public record Held(String key, CacheTtl ttl) {
  }

  public Route {
    warming = Map.copyOf(warming);
    held = List.copyOf(held);
  }

  public Route(Deployment deployment, RouteKind kind, Buffer body) {
    this(deployment, kind, body, Map.of(), 0, List.of(), 0);
  }

  public Route(Deployment deployment, RouteKind kind) {
    this(deployment, kind, null);
  }

  Route warming(Map<String, Long> pins, long since) {
    return new Route(deployment, kind, body, pins, pins.isEmpty() ? 0 : since, held, cachedTokens);
  }

  Route holding(List<Held> keys, long cached) {
    return new Route(deployment, kind, body, warming, warmingSince, keys, cached);
  }

  /**
   * The same request sent to {@code next} instead, holding the same pins; still warming up the pins it writes when
   * {@code next} shares the cache of this route's deployment (they are still written there), else warming none.
   */
  Route movedTo(Deployment next, RouteKind newKind) {
    boolean sameCache = next.cacheScope().equals(deployment.cacheScope());
    return new Route(next, newKind, body, sameCache ? warming : Map.of(), sameCache ? warmingSince : 0, held,
        next.equals(deployment) ? cachedTokens : 0);
  }
}
