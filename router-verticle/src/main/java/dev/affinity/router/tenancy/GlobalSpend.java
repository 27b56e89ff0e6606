package dev.affinity.router.tenancy;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * LiteLLM's spend overviews over the last 30 days, the ones its admin UI draws: {@code GET /global/spend} (the
 * total), {@code /global/spend/logs} (per day), {@code /global/spend/keys} and {@code /global/spend/models} (the
 * costliest first) and {@code /global/spend/teams} (per day and team). LiteLLM reads them from views over its spend
 * log that start at midnight 30 days before today; here the same window of UTC days over {@code affinity_spend}, in
 * the same fields. Keys are named by their hash, never the key. And {@code /global/spend/provider}, per provider over
 * a range of days.
 */
final class GlobalSpend {

  /** How far back the overviews read, in days before today (LiteLLM's {@code CURRENT_DATE - INTERVAL '30 days'}). */
  static final int DAYS = 30;
  /** LiteLLM's name for the spend of keys that belong to no team, in {@code /global/spend/teams}. */
  static final String NO_TEAM = "Unassigned";
  /** The provider of the spend of deployments no longer configured, in {@code /global/spend/provider}. */
  static final String UNKNOWN_PROVIDER = "unknown";
  /** How many teams {@code total_spend_per_team} lists, as in LiteLLM. */
  private static final int TOP_TEAMS = 10;

  private GlobalSpend() {
  }

  /** The filter of the window: the UTC days from {@value #DAYS} days before {@code today} through today. */
  static SpendFilter window(LocalDate today, String keyId) {
    return SpendFilter.ofDays(keyId, null, null, today.minusDays(DAYS), null, 1);
  }

  /**
   * The one parameter of {@code /global/spend/keys} and {@code /global/spend/models}: how many rows, all when absent.
   *
   * @throws IllegalArgumentException naming the parameter that is wrong
   */
  static int limit(MultiMap parameters, String path) {
    QueryParameters.only(parameters, Set.of("limit"), path + " takes limit");
    return QueryParameters.wholeNumber(parameters.get("limit"), "limit", Integer.MAX_VALUE, Integer.MAX_VALUE);
  }

  /** {@code /global/spend}: the window's spend, and LiteLLM's proxy-wide {@code max_budget}, which is not kept here. */
  static JsonObject total(List<TenantStore.DaySpend> spends) {
    double spend = 0;
    for (TenantStore.DaySpend day : spends) {
      spend += day.costUsd();
    }
    // LiteLLM answers litellm.max_budget, 0.0 (no proxy-wide budget) unless litellm_settings sets one
    return new JsonObject().put("spend", spend).put("max_budget", 0.0);
  }

  /**
   * {@code /global/spend/logs}: per day with spend, oldest first, {@code date} ({@code YYYY-MM-DD}) and
   * {@code spend}; with {@code apiKey} (the hash the rows are named by) each row carries it too, as LiteLLM's per-key
   * view does.
   */
  static JsonArray perDay(List<TenantStore.DaySpend> spends, String apiKey) {
    Map<Long, Double> days = new TreeMap<>();
    for (TenantStore.DaySpend spend : spends) {
      days.merge(spend.day(), spend.costUsd(), Double::sum);
    }
    JsonArray rows = new JsonArray();
    days.forEach((day, spend) -> {
      JsonObject row = new JsonObject().put("date", LocalDate.ofEpochDay(day).toString()).put("spend", spend);
      if (apiKey != null) {
        row.put("api_key", apiKey);
      }
      rows.add(row);
    });
    return rows;
  }

  /**
   * {@code /global/spend/keys}: per key, the costliest first, at most {@code limit}: {@code api_key} (its hash, or
   * the hash prefix a deleted key's rows kept), {@code key_alias}, {@code key_name} and {@code total_spend}.
   *
   * @param keyOf the key of an id as it is now, or null for one since deleted
   */
  static JsonArray byKey(List<TenantStore.DaySpend> spends, int limit, Function<String, VirtualKey> keyOf) {
    Map<String, double[]> totals = new LinkedHashMap<>();
    Map<String, VirtualKey> keys = new LinkedHashMap<>();
    for (TenantStore.DaySpend spend : spends) {
      VirtualKey key = spend.keyId() == null ? null : keyOf.apply(spend.keyId());
      String apiKey = key != null ? key.tokenHash() : spend.keyHashPrefix();
      totals.computeIfAbsent(apiKey, k -> new double[1])[0] += spend.costUsd();
      if (key != null) {
        keys.put(apiKey, key);
      }
    }
    JsonArray rows = new JsonArray();
    costliest(totals, limit).forEach(total -> {
      VirtualKey key = keys.get(total.getKey());
      rows.add(new JsonObject().put("api_key", total.getKey())
          .put("key_alias", key == null ? null : key.keyAlias())
          .put("key_name", key == null ? null : key.keyName())
          .put("total_spend", total.getValue()[0]));
    });
    return rows;
  }

  /** {@code /global/spend/models}: per model, the costliest first, at most {@code limit}: {@code model}, {@code total_spend}. */
  static JsonArray byModel(List<TenantStore.DaySpend> spends, int limit) {
    Map<String, double[]> totals = new LinkedHashMap<>();
    for (TenantStore.DaySpend spend : spends) {
      if (spend.model() != null && !spend.model().isEmpty()) {
        totals.computeIfAbsent(spend.model(), m -> new double[1])[0] += spend.costUsd();
      }
    }
    JsonArray rows = new JsonArray();
    costliest(totals, limit).forEach(total -> rows.add(new JsonObject().put("model", total.getKey())
        .put("total_spend", total.getValue()[0])));
    return rows;
  }

  /**
   * {@code /global/spend/teams}, in LiteLLM's shape for its chart: {@code daily_spend}, per day with spend (oldest
   * first), its {@code date} and the spend of each team by name; {@code teams}, the names; and
   * {@code total_spend_per_team}, the ten costliest, each a {@code team_id} (the name, as LiteLLM fills it) and
   * {@code total_spend}. A team is named by its alias, else its id ({@value #NO_TEAM} for keys of none); amounts are
   * rounded to cents, as LiteLLM rounds them.
   */
  static JsonObject byTeam(List<TenantStore.DaySpend> spends, Function<String, String> teamName) {
    Map<Long, Map<String, Double>> days = new TreeMap<>();
    Set<String> names = new LinkedHashSet<>();
    for (TenantStore.DaySpend spend : spends) {
      String name = spend.teamId() == null ? NO_TEAM : teamName.apply(spend.teamId());
      names.add(name);
      days.computeIfAbsent(spend.day(), day -> new LinkedHashMap<>()).merge(name, spend.costUsd(), Double::sum);
    }
    JsonArray daily = new JsonArray();
    Map<String, double[]> totals = new LinkedHashMap<>();
    days.forEach((day, teams) -> {
      JsonObject row = new JsonObject().put("date", LocalDate.ofEpochDay(day).toString());
      teams.forEach((name, spend) -> {
        double cents = cents(spend);
        row.put(name, cents);
        totals.computeIfAbsent(name, n -> new double[1])[0] += cents;
      });
      daily.add(row);
    });
    JsonArray top = new JsonArray();
    costliest(totals, TOP_TEAMS).forEach(total -> top.add(new JsonObject().put("team_id", total.getKey())
        .put("total_spend", cents(total.getValue()[0]))));
    return new JsonObject().put("daily_spend", daily).put("teams", new JsonArray(new ArrayList<>(names)))
        .put("total_spend_per_team", top);
  }

  /** The rows {@code /global/spend/provider} reads: its days, both required. */
  static SpendFilter providerFilter(MultiMap parameters) {
    return QueryParameters.everyKeyOnDays(parameters, "/global/spend/provider", Integer.MAX_VALUE);
  }

  /**
   * {@code /global/spend/provider}: per provider (LiteLLM's name, of each deployment's), the costliest first,
   * {@code provider} and {@code spend}. A deployment no longer configured is {@value #UNKNOWN_PROVIDER} (LiteLLM
   * leaves its spend out; here it stays counted).
   *
   * @param providerOf a deployment id's provider, or null for one not configured
   */
  static JsonArray byProvider(List<TenantStore.GroupSpend> spends, Function<String, String> providerOf) {
    Map<String, double[]> totals = new LinkedHashMap<>();
    for (TenantStore.GroupSpend spend : spends) {
      String provider = spend.group() == null ? null : providerOf.apply(spend.group());
      totals.computeIfAbsent(provider == null ? UNKNOWN_PROVIDER : provider, p -> new double[1])[0]
          += spend.costUsd();
    }
    JsonArray rows = new JsonArray();
    costliest(totals, Integer.MAX_VALUE).forEach(total -> rows.add(new JsonObject().put("provider", total.getKey())
        .put("spend", total.getValue()[0])));
    return rows;
  }

  private static List<Map.Entry<String, double[]>> costliest(Map<String, double[]> totals, int limit) {
    return totals.entrySet().stream()
        .sorted(Comparator.comparingDouble((Map.Entry<String, double[]> total) -> total.getValue()[0]).reversed())
        .limit(limit)
        .toList();
  }

  private static double cents(double usd) {
    return BigDecimal.valueOf(usd).setScale(2, RoundingMode.HALF_EVEN).doubleValue();
  }
}
