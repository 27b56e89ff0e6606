package dev.affinity.model;

import dev.affinity.model.config.Deployment;
import io.vertx.core.buffer.Buffer;

/**
 * What the router asks a provider verticle to do: send {@code body} for {@code request} to {@code deployment}.
 * Always delivered locally: the chosen provider verticle runs on the node that took the request. Needed only until the
 * upstream's answer begins (until then a retry may send the request elsewhere): a stream must not keep it.
 *
 * @param body            the body to send upstream (the client's body with {@code model} replaced, markers injected)
 * @param route           how the deployment was chosen, for the usage report
 * @param timeoutMillis   how long the upstream may stay silent before the call fails with 504
 * @param receivedAtNanos when the gateway took the request ({@link System#nanoTime()}), for latency
 * @param streamUsage     an OpenAI client asked for a usage chunk at the end of its stream
 *                        ({@code stream_options.include_usage}), which a translated stream must then add
 */
public record ProviderCall(GatewayRequest request, Deployment deployment, Buffer body, RouteKind route,
                           long timeoutMillis, long receivedAtNanos, boolean streamUsage) {
}
