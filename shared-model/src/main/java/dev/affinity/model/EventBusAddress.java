package dev.affinity.model;

/** The event-bus addresses the verticles talk on. The router address is a public API for cluster members. */
public final class EventBusAddress {

  /**
   * The public event-bus API for cluster members (docs/eventbus.md): JSON calls in, JSON answers out, served by the
   * ingress's event-bus front end when {@code server_settings.event_bus_api} is on.
   */
  public static final String ROUTER = "affinity.router";

  /** Local admin queries, answered beside the router with a JSON object: {@code pins}, {@code clear-pins}, {@code stats}. */
  public static final String ADMIN = "affinity.admin";

  private EventBusAddress() {
  }
}
