package dev.affinity.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.buffer.Buffer;

import java.util.Map;

/**
 * A validated client request on its way to the router.
 *
 * @param requestId  the gateway's id for this request, in every log line about it
 * @param operation  what the client asked for
 * @param model      the model (alias) the client asked for
 * @param stream     whether the client asked for a streamed answer
 * @param tenant     cache-scope namespace of the caller (one tenant until virtual keys exist)
 * @param headers    provider headers to forward upstream (lower-case names, e.g. {@code anthropic-beta})
 * @param query      the query string to forward, without '?', or null
 * @param body       the body exactly as the client sent it
 * @param json       the parsed body; same node, not a copy, when delivered locally; null after a cluster hop
 * @param caller     who sent it ({@link Caller#ADMIN} for the master key, an open gateway or an event-bus caller)
 * @param prepared   what the node's ingress computed from the parsed body for the router (the router's own type, opaque
 *                   here: the prompt's keys, so that hashing runs on the ingress's cores); null when it did not
 * @param storedId   for an operation on a stored response ({@link Operation#onStoredResponse()}), its id as the client
 *                   gave it; null for every other request
 */
public record GatewayRequest(
    String requestId,
    Operation operation,
    String model,
    boolean stream,
    String tenant,
    Map<String, String> headers,
    String query,
    Buffer body,
    JsonNode json,
    Caller caller,
    Object prepared,
    String storedId) {

  public GatewayRequest {
    headers = Map.copyOf(headers);
    caller = caller == null ? Caller.ADMIN : caller;
  }

  /** A request for a model (no stored response named), with what the ingress {@code prepared}. */
  public GatewayRequest(String requestId, Operation operation, String model, boolean stream, String tenant,
                        Map<String, String> headers, String query, Buffer body, JsonNode json, Caller caller,
                        Object prepared) {
    this(requestId, operation, model, stream, tenant, headers, query, body, json, caller, prepared, null);
  }

  /**
   * An operation of {@code caller} on the stored response {@code storedId}: no model (the id says where the response
   * is), no body.
   */
  public static GatewayRequest onStored(String requestId, Operation operation, String storedId, String tenant,
                                        String query, Caller caller) {
    return onStored(requestId, operation, storedId, tenant, query, caller, false);
  }

  /** The same, {@code stream} saying whether the answer is the response's events (a streamed retrieve). */
  public static GatewayRequest onStored(String requestId, Operation operation, String storedId, String tenant,
                                        String query, Caller caller, boolean stream) {
    return new GatewayRequest(requestId, operation, null, stream, tenant, Map.of(), query, Buffer.buffer(), null,
        caller, null, storedId);
  }

  /** A request of the master key (or an open gateway, or a cluster member on the event bus). */
  public GatewayRequest(String requestId, Operation operation, String model, boolean stream, String tenant,
                        Map<String, String> headers, String query, Buffer body, JsonNode json) {
    this(requestId, operation, model, stream, tenant, headers, query, body, json, Caller.ADMIN);
  }

  /** A request of {@code caller}, with nothing prepared for the router yet. */
  public GatewayRequest(String requestId, Operation operation, String model, boolean stream, String tenant,
                        Map<String, String> headers, String query, Buffer body, JsonNode json, Caller caller) {
    this(requestId, operation, model, stream, tenant, headers, query, body, json, caller, null);
  }

  /** The same request, carrying {@code prepared} for the router. */
  public GatewayRequest withPrepared(Object prepared) {
    return new GatewayRequest(requestId, operation, model, stream, tenant, headers, query, body, json, caller,
        prepared, storedId);
  }
}
