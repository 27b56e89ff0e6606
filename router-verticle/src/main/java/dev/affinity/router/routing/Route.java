package dev.affinity.router.routing;

import dev.affinity.model.config.Deployment;
import io.vertx.core.buffer.Buffer;

/**
 * Where a request goes and why ({@code unpinned}, {@code pinned}, {@code claimed}, {@code repinned}).
 *
 * @param body the body to send when the policy changed it (injected cache markers), or null to send the client's
 */
public record Route(Deployment deployment, String kind, Buffer body) {

  public Route(Deployment deployment, String kind) {
    this(deployment, kind, null);
  }
}
