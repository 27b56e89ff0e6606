package dev.affinity.model;

/**
 * Who sent a request, as the gateway authenticated it: the master key, a virtual key (and its team), or anyone at an
 * open gateway. Carries no secret: a virtual key is named by its stable id and the first characters of its hash.
 *
 * @param keyId          the virtual key's stable id (kept across regeneration), or null for the master key / open
 * @param keyHashPrefix  the first characters of the key's SHA-256, for logs and the spend log; null without a key
 * @param keyAlias       the key's {@code key_alias}, or null
 * @param teamId         the key's {@code team_id}, or null
 * @param tenant         the pin-scope namespace: {@code team:<id>}, else {@code key:<id>}, else {@code default}
 * @param admin          whether the caller administers (the master key, or an open gateway)
 * @param routingHeaders whether answers may carry the routing headers ({@code x-affinity-route}, -deployment)
 * @param client         the client's address as the gateway saw it, for the audit trail; null when unknown
 * @param attribution    what this request says it was made for (end user, tags), for a virtual key's spend log
 */
public record Caller(String keyId, String keyHashPrefix, String keyAlias, String teamId, String tenant,
                     boolean admin, boolean routingHeaders, String client, Attribution attribution) {

  public Caller {
    attribution = attribution == null ? Attribution.NONE : attribution;
  }

  public Caller(String keyId, String keyHashPrefix, String keyAlias, String teamId, String tenant,
                boolean admin, boolean routingHeaders, String client) {
    this(keyId, keyHashPrefix, keyAlias, teamId, tenant, admin, routingHeaders, client, Attribution.NONE);
  }

  /** The tenant of the master key and of an open gateway. */
  public static final String DEFAULT_TENANT = "default";

  /** The master key, or anyone at a gateway without one. */
  public static final Caller ADMIN = new Caller(null, null, null, null, DEFAULT_TENANT, true, true, null);

  /** The same caller, seen at {@code address}. */
  public Caller from(String address) {
    return new Caller(keyId, keyHashPrefix, keyAlias, teamId, tenant, admin, routingHeaders, address, attribution);
  }

  /** The same caller, for a request that says it was made for {@code what}. */
  public Caller attributed(Attribution what) {
    return new Caller(keyId, keyHashPrefix, keyAlias, teamId, tenant, admin, routingHeaders, client, what);
  }

  /** Whether this caller is a virtual key (limits, budgets and spend apply). */
  public boolean virtualKey() {
    return keyId != null;
  }
}
