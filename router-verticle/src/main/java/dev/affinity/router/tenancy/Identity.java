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

  /**
   * Whether this caller's tokens or spend are limited (a {@code tpm_limit} or {@code max_budget}, the key's or its
   * team's): then every call it makes must be counted when it is answered.
   */
  public boolean countsUsage() {
    return limits(key == null ? null : key.allowance()) || limits(team == null ? null : team.allowance());
  }

  private static boolean limits(Allowance allowance) {
    return allowance != null && (allowance.tpmLimit() != null || allowance.maxBudget() != null);
  }

  public Identity from(String clientAddress) {
    return new Identity(caller.from(clientAddress), key, team);
  }
}
