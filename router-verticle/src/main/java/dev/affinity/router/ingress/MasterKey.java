package dev.affinity.router.ingress;

import dev.affinity.model.config.Secret;
import io.vertx.core.http.HttpServerRequest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Whether a request presents the master key ({@code x-api-key} or {@code Authorization: Bearer}), in constant time. */
public final class MasterKey {

  private MasterKey() {
  }

  /** True when no master key is configured (the gateway is open) or the request presents it. */
  public static boolean presentedIn(HttpServerRequest request, Secret master) {
    if (master == null) {
      return true;
    }
    String presented = request.getHeader("x-api-key");
    if (presented == null) {
      String authorization = request.getHeader("authorization");
      if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
        presented = authorization.substring(7).trim();
      }
    }
    return presented != null && MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8),
        master.value().getBytes(StandardCharsets.UTF_8));
  }
}
