package dev.affinity.router.tenancy;

import dev.affinity.model.GatewayError;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

/**
 * What a virtual key may do, decided from the key, its team and the time alone: whether it may call a model, and
 * which of the cluster's counters a request is held to (LiteLLM's {@code rpm_limit}, {@code tpm_limit},
 * {@code max_parallel_requests}, {@code max_budget} in {@code budget_duration}), for the key and for its team.
 * Counting happens elsewhere ({@link LimitCounters}); this class has no Vert.x or Hazelcast in it.
 */
public final class TenantPolicy {

  /** Spend is counted in billionths of a USD, so that counters stay whole numbers. */
  public static final double NANOS_PER_USD = 1e9;
  /** A parallel-request count outlives a node that died holding it by at most this long. */
  static final long PARALLEL_TTL_SECONDS = 3600;
  private static final long MINUTE_TTL_SECONDS = 120;

  private TenantPolicy() {
  }

  /**
   * 401 for a blocked or expired key (or blocked team), 403 for a model the key or team may not call; else null. A
   * null {@code model} is checked for the key and team alone.
   *
   * @param accessGroups the model access groups a model belongs to (LiteLLM's {@code model_info.access_groups}), asked
   *                     only when a key's or team's list does not name the model itself
   */
  public static GatewayError refusal(Identity identity, String model,
                                     Function<String, ? extends Collection<String>> accessGroups, long nowMillis) {
    VirtualKey key = identity.key();
    if (key == null) {
      return null;
    }
    if (key.blocked()) {
      return GatewayError.authentication("this virtual key is blocked");
    }
    if (key.expired(nowMillis)) {
      return GatewayError.authentication("this virtual key has expired");
    }
    Team team = identity.team();
    if (team != null && team.blocked()) {
      return GatewayError.authentication("the team of this virtual key is blocked");
    }
    // no model: an operation on a stored response, whose alias the router checks once the id has named it
    if (model == null) {
      return null;
    }
    if (!key.models().isEmpty() && !allows(key.models(), model, accessGroups)) {
      return permission("model '" + model + "' is not allowed for this key; allowed: "
          + String.join(", ", key.models()));
    }
    if (team != null && !team.models().isEmpty() && !allows(team.models(), model, accessGroups)) {
      return permission("model '" + model + "' is not allowed for team '" + team.teamId() + "'; allowed: "
          + String.join(", ", team.models()));
    }
    return null;
  }

  /**
   * LiteLLM's model lists: names, {@code *} / {@code all-proxy-models} for every model, prefix wildcards, and model
   * access groups (a name that is one of the model's groups).
   */
  static boolean allows(List<String> models, String model,
                        Function<String, ? extends Collection<String>> accessGroups) {
    for (String allowed : models) {
      if (allowed.equals(model) || allowed.equals("*") || allowed.equals("all-proxy-models")
          || allowed.endsWith("*") && model.startsWith(allowed.substring(0, allowed.length() - 1))) {
        return true;
      }
    }
    Collection<String> groups = accessGroups.apply(model);
    return models.stream().anyMatch(groups::contains);
  }

  private static GatewayError permission(String message) {
    return new GatewayError(403, "permission_error", message);
  }

  /**
   * The counters a request takes, for the key and its team: one request a minute and one in flight (added now),
   * tokens this minute and spend this budget period (checked now, added after the answer).
   */
  public static List<Charge> admission(Identity identity, long nowMillis) {
    List<Charge> charges = new ArrayList<>();
    if (identity.key() != null) {
      add(charges, "key", identity.key().id(), describe(identity.key()), identity.key().allowance(),
          identity.key().createdAt(), nowMillis);
    }
    if (identity.team() != null) {
      add(charges, "team", identity.team().teamId(), "team '" + identity.team().teamId() + "'",
          identity.team().allowance(), identity.team().createdAt(), nowMillis);
    }
    return charges;
  }

  /** A limit of 0: nothing is allowed at all. Null when no limit is 0. */
  public static Charge exhaustedOutright(List<Charge> charges) {
    return charges.stream().filter(charge -> charge.limit() == 0).findFirst().orElse(null);
  }

  /** What is added once the answer is known: tokens to this minute's counters, cost to the budget periods'. */
  public static List<Charge> usage(Identity identity, long tokens, double costUsd, long nowMillis) {
    List<Charge> charges = new ArrayList<>();
    long nanos = Math.round(costUsd * NANOS_PER_USD);
    long minute = nowMillis / 60_000;
    if (identity.key() != null) {
      VirtualKey key = identity.key();
      charges.add(new Charge("tpm:key:" + key.id() + ":" + minute, 0, tokens, MINUTE_TTL_SECONDS, null, false));
      charges.add(spend("key", key.id(), key.allowance(), key.createdAt(), nowMillis, nanos));
    }
    if (identity.team() != null) {
      Team team = identity.team();
      charges.add(new Charge("tpm:team:" + team.teamId() + ":" + minute, 0, tokens, MINUTE_TTL_SECONDS, null,
          false));
      charges.add(spend("team", team.teamId(), team.allowance(), team.createdAt(), nowMillis, nanos));
    }
    return charges.stream().filter(charge -> charge.amount() > 0).toList();
  }

  /** The counter of spend in the budget period that holds {@code nowMillis}. */
  public static String spendCounter(String kind, String id, Allowance allowance, long anchorMillis, long nowMillis) {
    return "usd:" + kind + ":" + id + ":"
        + Periods.periodStart(anchorMillis, allowance.budgetPeriodMillis(), nowMillis);
  }

  /** The parallel-request counters among {@code charges}, to give back when the answer ends. */
  public static List<Charge> releases(List<Charge> charges) {
    return charges.stream().filter(charge -> charge.counter().startsWith("par:"))
        .map(charge -> new Charge(charge.counter(), 0, -charge.amount(), PARALLEL_TTL_SECONDS, null, false))
        .toList();
  }

  private static Charge spend(String kind, String id, Allowance allowance, long anchor, long now, long nanos) {
    long period = allowance.budgetPeriodMillis();
    // a counter for a finished period is no longer read: it lives one period more, for the admin's view
    long ttl = period == 0 ? 0 : period / 1000 * 2;
    return new Charge(spendCounter(kind, id, allowance, anchor, now), 0, nanos, ttl, null, true);
  }

  private static void add(List<Charge> charges, String kind, String id, String whose, Allowance allowance,
                          long anchor, long now) {
    long minute = now / 60_000;
    if (allowance.rpmLimit() != null) {
      charges.add(new Charge("rpm:" + kind + ":" + id + ":" + minute, allowance.rpmLimit(), 1, MINUTE_TTL_SECONDS,
          "rpm_limit " + allowance.rpmLimit() + " of " + whose + " reached (requests a minute)", false));
    }
    if (allowance.tpmLimit() != null) {
      charges.add(new Charge("tpm:" + kind + ":" + id + ":" + minute, allowance.tpmLimit(), 0, MINUTE_TTL_SECONDS,
          "tpm_limit " + allowance.tpmLimit() + " of " + whose + " reached (tokens a minute)", false));
    }
    if (allowance.maxParallelRequests() != null) {
      charges.add(new Charge("par:" + kind + ":" + id, allowance.maxParallelRequests(), 1, PARALLEL_TTL_SECONDS,
          "max_parallel_requests " + allowance.maxParallelRequests() + " of " + whose + " reached", false));
    }
    if (allowance.maxBudget() != null) {
      long limit = Math.round(allowance.maxBudget() * NANOS_PER_USD);
      charges.add(new Charge(spendCounter(kind, id, allowance, anchor, now), limit, 0, 0,
          "max_budget " + allowance.maxBudget() + " USD of " + whose + " spent"
              + (allowance.budgetDuration() == null ? "" : " in this budget_duration (" + allowance.budgetDuration()
              + ")"), true));
    }
  }

  private static String describe(VirtualKey key) {
    return key.keyAlias() != null ? "key '" + key.keyAlias() + "'" : "key " + key.keyName();
  }

  /** The answer to a request a counter refused: 429, naming the limit, in the client API's shape. */
  public static GatewayError refused(Charge charge) {
    return new GatewayError(429, charge.budget() ? "billing_error" : "rate_limit_error",
        (charge.budget() ? "budget exceeded: " : "rate limit: ") + charge.refusal());
  }
}
