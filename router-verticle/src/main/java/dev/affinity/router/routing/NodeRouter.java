package dev.affinity.router.routing;

import dev.affinity.model.GatewayErrorException;
import dev.affinity.model.GatewayReply;
import dev.affinity.model.GatewayRequest;
import io.vertx.core.Future;

/**
 * This node's router as the node's front ends (HTTP, the event-bus API) call it: one request in, its one reply out, or
 * a {@link GatewayErrorException} carrying the error for the client. A method call, not an event-bus request: the
 * answer comes back on the caller's context, and nothing is spent on a reply address, a codec or the event bus's
 * timer.
 */
public interface NodeRouter {

  Future<GatewayReply> route(GatewayRequest request);
}
