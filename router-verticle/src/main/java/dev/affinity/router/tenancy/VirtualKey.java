package dev.affinity.router.tenancy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A virtual key as the gateway keeps it: never the key itself, only its SHA-256 ({@link KeyToken#hash}).
 *
 * @param id           stable id ({@code token_id}): kept when the key is regenerated, so spend and limits follow it
 * @param tokenHash    hex SHA-256 of the key ({@code token} in LiteLLM's answers)
 * @param keyName      LiteLLM's abbreviation of the key ({@code sk-...abcd}), enough to recognise it, not to use it
 * @param keyAlias     {@code key_alias}, or null
 * @param teamId       {@code team_id}, or null
 * @param models       models (aliases) the key may call; empty: every model its team may call
 * @param allowance    the key's own limits and budget
 * @param expiresAt    epoch milliseconds after which the key is refused, or null
 * @param metadata     {@code metadata}, kept as given
 * @param permissions  {@code permissions}; {@code affinity_routing_headers: true} shows the routing headers
 * @param blocked      {@code blocked}: refused with 401 while true
 * @param createdAt    epoch milliseconds; budget periods are counted from here
 */
public record VirtualKey(String id, String tokenHash, String keyName, String keyAlias, String teamId,
                         List<String> models, Allowance allowance, Long expiresAt, Map<String, Object> metadata,
                         Map<String, Object> permissions, boolean blocked, long createdAt) {

  public VirtualKey {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(tokenHash, "tokenHash");
    models = models == null ? List.of() : List.copyOf(models);
    allowance = allowance == null ? Allowance.NONE : allowance;
    metadata = metadata == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    permissions = permissions == null ? Map.of()
        : Collections.unmodifiableMap(new LinkedHashMap<>(permissions));
  }

  /** The first characters of the hash: tells keys apart in logs without being usable for anything. */
  public String hashPrefix() {
    return tokenHash.substring(0, 12);
  }

  public boolean expired(long nowMillis) {
    return expiresAt != null && nowMillis >= expiresAt;
  }

  /** Whether answers to this key may carry {@code x-affinity-route} and {@code x-affinity-deployment}. */
  public boolean routingHeaders() {
    return Boolean.TRUE.equals(permissions.get("affinity_routing_headers"));
  }

  /** The same key, blocked ({@code true}) or not. */
  public VirtualKey withBlocked(boolean isBlocked) {
    return new VirtualKey(id, tokenHash, keyName, keyAlias, teamId, models, allowance, expiresAt, metadata,
        permissions, isBlocked, createdAt);
  }

  public VirtualKey withToken(String newHash, String newName) {
    return new VirtualKey(id, newHash, newName, keyAlias, teamId, models, allowance, expiresAt, metadata, permissions,
        blocked, createdAt);
  }
}
