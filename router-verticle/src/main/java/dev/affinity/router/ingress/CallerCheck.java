package dev.affinity.router.ingress;

import dev.affinity.model.config.Secret;
import dev.affinity.router.tenancy.Identity;
import dev.affinity.router.tenancy.Tenancy;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;

/**
 * "Who is this caller", for HTTP and the event bus alike: the key ({@link CallerKeys#presentedKey}) made an identity. Without a master key the gateway is open and every
 * caller administers; with one, the master key administers and virtual keys ({@link Tenancy}) infer within their
 * limits. Needs no database: keys are read from the cluster's copy, so it may be asked before a request's body is
 * read.
 */
final class CallerCheck {

  private final Secret masterKey;
  private final Tenancy tenancy;

  /** @param tenancy the node's keys and teams, or null when no master key is configured */
  CallerCheck(Secret masterKey, Tenancy tenancy) {
    this.masterKey = masterKey;
    this.tenancy = tenancy;
  }

  /** Fails with a {@link Tenancy.Refusal} (401) for a missing, unknown, blocked or expired key. */
  Future<Identity> identify(MultiMap headers, String client, Context context) {
    if (masterKey == null) {
      return Future.succeededFuture(Identity.ADMIN);
    }
    if (tenancy == null) {
      return new CallerKeys(masterKey).admits(headers)
          ? Future.succeededFuture(Identity.ADMIN.from(client))
          : Future.failedFuture(new Tenancy.Refusal(Tenancy.UNKNOWN_KEY));
    }
    return tenancy.identify(CallerKeys.presentedKey(headers), context).map(identity -> identity.from(client));
  }

  /**
   * Holds a virtual key's request to its models, limits and budget; the master key passes at once. A null
   * {@code model} (an operation on a stored response) holds it to its limits and budget only: the router checks the
   * model.
   */
  Future<Tenancy.Grant> admit(Identity identity, String model, Context context) {
    if (tenancy == null || identity.key() == null) {
      return Future.succeededFuture(null);
    }
    return tenancy.admit(identity, model, context);
  }
}
