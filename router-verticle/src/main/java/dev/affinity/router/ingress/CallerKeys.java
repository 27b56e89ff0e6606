package dev.affinity.router.ingress;

import dev.affinity.model.config.Secret;
import io.vertx.core.MultiMap;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Answers "may this caller use the gateway" from a request's headers, before anything is spent on it: the one place
 * where a presented key is checked, for HTTP requests and event-bus calls alike (both carry headers). The key is
 * {@code x-api-key}, else {@code Authorization: Bearer}. Today only the master key is known; without one every
 * caller is let in (and the node listens on loopback only unless told otherwise, docs/security.md).
 */
public final class CallerKeys {

  private final byte[] master;

  public CallerKeys(Secret masterKey) {
    this.master = masterKey == null ? null : masterKey.value().getBytes(StandardCharsets.UTF_8);
  }

  /** Whether a key is required at all. */
  public boolean keyRequired() {
    return master != null;
  }

  /** Whether the caller whose headers these are presented a key the gateway knows (or none is required). */
  public boolean admits(MultiMap headers) {
    if (master == null) {
      return true;
    }
    String presented = presentedKey(headers);
    // constant time: how much of a guess matched must not show in the answer's timing
    return presented != null && MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), master);
  }

  /** The key the caller presented, or null. */
  static String presentedKey(MultiMap headers) {
    String presented = headers.get("x-api-key");
    if (presented != null) {
      return presented;
    }
    String authorization = headers.get("authorization");
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return authorization.substring(7).trim();
    }
    return null;
  }
}
