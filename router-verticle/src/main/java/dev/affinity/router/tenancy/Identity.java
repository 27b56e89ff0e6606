package dev.affinity.router.tenancy;

import dev.affinity.model.Caller;

/**
 * A caller with what it is allowed: the master key (no key, no team), or a virtual key and its team (or none).
 */
public record Identity(Caller caller, VirtualKey key, Team team) {

  public static final Identity ADMIN = new Identity(Caller.ADMIN, null, null);

  /** The caller a virtual key (and its team) makes: the team is the tenant, else the key. */
  public static Identity of(VirtualKey key, Team team) {
    String tenant = key.teamId() != null ? "team:" + key.teamId() : "key:" + key.id();
    return new Identity(new Caller(key.id(), key.hashPrefix(), key.keyAlias(), key.teamId(), tenant, false,
        key.routingHeaders(), null), key, team);
  }

  public Identity from(String clientAddress) {
    return new Identity(caller.from(clientAddress), key, team);
  }
}
