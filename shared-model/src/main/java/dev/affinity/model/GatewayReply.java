package dev.affinity.model;

import io.vertx.core.buffer.Buffer;

import java.util.Map;

/**
 * The upstream's answer as the client will see it. Exactly one of {@code body} (a complete answer) or
 * {@code stream} (a streamed answer, local delivery only) is set.
 *
 * @param headers response headers worth relaying (lower-case names)
 * @param deploymentId the deployment that answered
 * @param route how the deployment was chosen; null until the router sets it
 * @param outcome how the call ended, for a complete answer (a stream's ends with the stream: {@link BodyStream#outcome})
 */
public record GatewayReply(
    int status,
    Map<String, String> headers,
    Buffer body,
    BodyStream stream,
    String deploymentId,
    RouteKind route,
    CallOutcome outcome) {

  public GatewayReply {
    headers = Map.copyOf(headers);
    if ((body == null) == (stream == null)) {
      throw new IllegalArgumentException("exactly one of body and stream must be set");
    }
  }

  /** A reply whose outcome is not known here (built outside a provider verticle). */
  public GatewayReply(int status, Map<String, String> headers, Buffer body, BodyStream stream, String deploymentId,
                      RouteKind route) {
    this(status, headers, body, stream, deploymentId, route, null);
  }

  public GatewayReply withRoute(RouteKind route) {
    return new GatewayReply(status, headers, body, stream, deploymentId, route, outcome);
  }
}
