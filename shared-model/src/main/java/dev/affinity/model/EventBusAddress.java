package dev.affinity.model;

import dev.affinity.model.config.ProviderKind;

import java.util.Locale;

/** The event-bus addresses the verticles talk on. The router address is a public API for cluster members. */
public final class EventBusAddress {

  /**
   * The public event-bus API for cluster members (docs/eventbus.md): JSON calls in, JSON answers out, served by the
   * ingress's event-bus front end when {@code server_settings.event_bus_api} is on.
   */
  public static final String ROUTER = "affinity.router";

  /** Where the ingress sends a node's {@link GatewayRequest}s (local only); replies are {@link GatewayReply}s. */
  public static final String ROUTE = "affinity.route";

  /** Local admin queries, answered beside the router with a JSON object: {@code pins}, {@code clear-pins}, {@code stats}. */
  public static final String ADMIN = "affinity.admin";

  private EventBusAddress() {
  }

  /**
   * The local address of the verticle of the provider registered as {@code name}
   * ({@link dev.affinity.model.provider.Provider#name()}); takes {@link ProviderCall}s.
   */
  public static String provider(String name) {
    return "affinity.provider." + name;
  }

  /** The address of the built-in provider named as the API it speaks ({@code bedrock} for BEDROCK). */
  public static String provider(ProviderKind kind) {
    return provider(kind.name().toLowerCase(Locale.ROOT));
  }
}
