package dev.affinity.router.ingress;

import dev.affinity.router.node.Listener;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Where a request says it comes from and whom it is for: the Host it names and the Origin a browser adds. The
 * gateway serves programs, not pages; these checks keep a web page the operator happens to visit from using it.
 */
final class RequestOrigin {

  private final Set<String> allowedHosts;
  private final boolean loopbackListener;
  private final boolean keyRequired;

  /**
   * @param allowedHosts     {@code server_settings.allowed_hosts}: when given, the only Host names accepted
   * @param loopbackListener whether the node listens on loopback: then only loopback names are accepted by default
   * @param keyRequired      whether callers must present a key (a browser cannot add one without CORS consent)
   */
  RequestOrigin(List<String> allowedHosts, boolean loopbackListener, boolean keyRequired) {
    this.allowedHosts = allowedHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
    this.loopbackListener = loopbackListener;
    this.keyRequired = keyRequired;
  }

  /**
   * Why the request is refused, or null to serve it.
   *
   * @param host   the host the request names (Host or :authority, without port), or null
   * @param origin its Origin header, or null
   */
  String refusal(String host, String origin) {
    if (!allowedHosts.isEmpty() || loopbackListener) {
      String name = host == null ? null : host.toLowerCase(Locale.ROOT);
      boolean known = allowedHosts.isEmpty()
          ? name != null && Listener.loopback(name) : name != null && allowedHosts.contains(name);
      if (!known) {
        return "Host is not a name this gateway serves"
            + (allowedHosts.isEmpty() ? " (a loopback listener answers to localhost and 127.0.0.1 only;"
            + " see server_settings.allowed_hosts)" : " (server_settings.allowed_hosts)");
      }
    }
    if (!keyRequired && origin != null) {
      return "requests from web pages are refused by a gateway without a master key";
    }
    return null;
  }

  /** Whether a Content-Type names exactly application/json, parameters such as charset allowed. */
  static boolean json(String contentType) {
    int semicolon = contentType.indexOf(';');
    String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
    return type.equalsIgnoreCase("application/json");
  }
}
