package dev.affinity.model;

import dev.affinity.model.config.ProviderKind;

import java.util.Locale;

/** The event-bus addresses the verticles talk on. The router address is a public API for cluster members. */
public final class EventBusAddress {

  /** Where {@link GatewayRequest}s are sent; replies are {@link GatewayReply}s. */
  public static final String ROUTER = "affinity.router";

  /** Local admin queries, answered beside the router with a JSON object: {@code pins}, {@code clear-pins}, {@code stats}. */
  public static final String ADMIN = "affinity.admin";

  private EventBusAddress() {
  }

  /** The local address of the verticle that calls providers of this kind; takes {@link ProviderCall}s. */
  public static String provider(ProviderKind kind) {
    return "affinity.provider." + kind.name().toLowerCase(Locale.ROOT);
  }
}
