package dev.affinity.router.node;

import java.util.Locale;

/**
 * Where a node listens for clients. A node without a master key serves anyone who reaches it, so it listens on
 * loopback only unless {@code server_settings.allow_public_without_key} says otherwise (docs/security.md).
 *
 * @param host   the address to bind
 * @param notice what the operator must be told at start, or null
 */
public record Listener(String host, String notice) {

  /**
   * @param requested        the host asked for ({@code --host})
   * @param keyRequired      whether a master key is configured
   * @param publicWithoutKey the explicit opt-in to listen beyond loopback without a key
   */
  public static Listener choose(String requested, boolean keyRequired, boolean publicWithoutKey) {
    if (keyRequired || loopback(requested)) {
      return new Listener(requested, null);
    }
    if (publicWithoutKey) {
      return new Listener(requested, "no general_settings.master_key and server_settings.allow_public_without_key"
          + " is true: anyone who reaches " + requested + " can spend this gateway's upstream credentials");
    }
    return new Listener("127.0.0.1", "no general_settings.master_key: listening on 127.0.0.1 only, not " + requested
        + "; set a master key, or server_settings.allow_public_without_key: true to serve beyond loopback");
  }

  /** Whether {@code host} is a loopback address or name. */
  public static boolean loopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    return h.equals("localhost") || h.startsWith("127.") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1");
  }
}
