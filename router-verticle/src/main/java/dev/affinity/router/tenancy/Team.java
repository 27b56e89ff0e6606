package dev.affinity.router.tenancy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A team: its keys share its limits, budget and pins (a team is one tenant).
 *
 * @param teamId              {@code team_id}
 * @param teamAlias           {@code team_alias}, or null
 * @param models              models the team's keys may call; empty: every model
 * @param allowance           limits and budget shared by all the team's keys
 * @param metadata            {@code metadata}, kept as given
 * @param blocked             {@code blocked}: every key of the team is refused with 401
 * @param reservedDeployments deployment ids kept for this team alone ({@code reserved_deployments}, Affinity's own):
 *                            other tenants are never routed there, so they never share its provider cache
 * @param createdAt           epoch milliseconds; budget periods are counted from here
 */
public record Team(String teamId, String teamAlias, List<String> models, Allowance allowance,
                   Map<String, Object> metadata, boolean blocked, List<String> reservedDeployments,
                   long createdAt) {

  public Team {
    Objects.requireNonNull(teamId, "teamId");
    models = models == null ? List.of() : List.copyOf(models);
    allowance = allowance == null ? Allowance.NONE : allowance;
    metadata = metadata == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    reservedDeployments = reservedDeployments == null ? List.of() : List.copyOf(reservedDeployments);
  }

  /** The same team, blocked ({@code true}) or not. */
  public Team withBlocked(boolean isBlocked) {
    return new Team(teamId, teamAlias, models, allowance, metadata, isBlocked, reservedDeployments, createdAt);
  }
}
