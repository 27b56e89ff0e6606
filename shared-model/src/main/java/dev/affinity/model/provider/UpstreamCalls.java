package dev.affinity.model.provider;

import dev.affinity.model.FailedCall;
import dev.affinity.model.GatewayReply;
import dev.affinity.model.ProviderCall;
import io.vertx.core.Deployable;
import io.vertx.core.Future;

/**
 * A provider's verticle as the router of its node calls it: a {@link ProviderCall} in, the call's one outcome out (a
 * {@link GatewayReply}, or a {@link FailedCall} when no answer came to relay). A plain method call, not an event-bus
 * request: the router and the providers share one event loop ({@code RoutingLoop}), so a call made there runs at once
 * on the caller's thread, with no reply address, no codec and no timer of the event bus's.
 */
public interface UpstreamCalls extends Deployable {

  /**
   * Makes the call. Called on the verticle's own context it runs there and then; called from elsewhere it is handed
   * to that context first, and the answer completes there.
   */
  Future<GatewayReply> call(ProviderCall call);
}
