package dev.affinity.router.tenancy;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * LiteLLM's {@code GET /global/spend/report}, the report teams are charged by, over the spend log: for the UTC days
 * from {@code start_date} to {@code end_date} (both included), per day and team the spend of each key on each model
 * ({@code group_by=team}, the default), per day and end user the same ({@code group_by=customer}), or per key its cost
 * and tokens on each model ({@code group_by=api_key}, or any request naming an {@code api_key}). Keys are named by
 * their hash, never the key.
 */
final class SpendReport {

  /** LiteLLM's name for the calls of keys that belong to no team. */
  static final String NO_TEAM = "Unassigned Team";
  private static final Set<String> PARAMETERS = Set.of("start_date", "end_date", "group_by", "api_key", "team_id",
      "internal_user_id", "customer_id");

  private SpendReport() {
  }

  /**
   * A request's parameters.
   *
   * @param grouping per day and team, per day and end user, or per key ({@code group_by=api_key} or an
   *                 {@code api_key} named)
   * @param key      the key whose calls ({@code api_key}: the key or its hash), or null
   * @param teamId   the team whose calls, or null
   */
  record Query(LocalDate start, LocalDate end, Grouping grouping, String key, String teamId) {

    /** @throws IllegalArgumentException naming the parameter that is wrong */
    static Query of(MultiMap parameters) {
      QueryParameters.only(parameters, PARAMETERS, "/global/spend/report takes start_date and end_date"
          + " (YYYY-MM-DD), group_by (team, customer or api_key), api_key and team_id");
      if (parameters.get("internal_user_id") != null) {
        throw new IllegalArgumentException("internal_user_id: Affinity keeps no users; report by team_id or api_key"
            + " instead");
      }
      if (parameters.get("customer_id") != null) {
        throw new IllegalArgumentException("customer_id: not served by this report; group_by=customer reports every"
            + " end user, POST /global/spend/end_users one key's");
      }
      QueryParameters.Days days = QueryParameters.days(parameters, true);
      String groupBy = parameters.get("group_by") == null ? "team" : parameters.get("group_by");
      Grouping grouping = switch (groupBy) {
        case "team" -> Grouping.TEAM;
        case "customer" -> Grouping.CUSTOMER;
        case "api_key" -> Grouping.KEY;
        default -> throw new IllegalArgumentException("group_by must be team, customer or api_key");
      };
      String key = blankless(parameters.get("api_key"));
      return new Query(days.first(), days.last(), key != null ? Grouping.KEY : grouping, key,
          blankless(parameters.get("team_id")));
    }

    SpendFilter filter(String keyId) {
      return SpendFilter.ofDays(keyId, teamId, null, start, end, 1);
    }
  }

  /** How the report groups the calls. */
  enum Grouping { TEAM, CUSTOMER, KEY }

  /**
   * Per day with spend, oldest first: {@code group_by_day} (the day's start, UTC) and {@code teams}, each with its
   * {@code team_name} (the alias, else the id; {@value #NO_TEAM} for keys of none), {@code total_spend} and in
   * {@code metadata} the spend and tokens of each key (by hash) on each model.
   */
  static JsonArray byTeam(List<TenantStore.DaySpend> spends, Function<String, String> teamName,
                          Function<String, String> hashOf) {
    Function<TenantStore.DaySpend, String> name = spend -> spend.teamId() == null ? NO_TEAM
        : teamName.apply(spend.teamId());
    return perDay(spends, "teams", name,
        spend -> new JsonObject().put("team_name", name.apply(spend)).put("team_id", spend.teamId()), hashOf);
  }

  /**
   * LiteLLM's {@code group_by=customer}: per day with spend, oldest first, {@code group_by_day} and {@code customers},
   * each its {@code customer} (the end user; null for the calls that named none), {@code total_spend} and
   * {@code metadata} as {@link #byTeam}'s. {@code spends} are per end user ({@code spendByDayAndEndUser}).
   */
  static JsonArray byCustomer(List<TenantStore.DaySpend> spends, Function<String, String> hashOf) {
    return perDay(spends, "customers", TenantStore.DaySpend::endUser,
        spend -> new JsonObject().put("customer", spend.endUser()), hashOf);
  }

  /**
   * Per day, per group ({@code groupOf} names a spend's; {@code entryOf} starts its entry), the group's total and the
   * spend of each key on each model.
   */
  private static JsonArray perDay(List<TenantStore.DaySpend> spends, String field,
                                  Function<TenantStore.DaySpend, String> groupOf,
                                  Function<TenantStore.DaySpend, JsonObject> entryOf, Function<String, String> hashOf) {
    Map<Long, Map<String, JsonObject>> days = new LinkedHashMap<>();
    for (TenantStore.DaySpend spend : spends) {
      JsonObject entry = days.computeIfAbsent(spend.day(), day -> new LinkedHashMap<>()).computeIfAbsent(
          groupOf.apply(spend), group -> entryOf.apply(spend).put("total_spend", 0.0).put("metadata", new JsonArray()));
      entry.put("total_spend", entry.getDouble("total_spend") + spend.costUsd());
      entry.getJsonArray("metadata").add(new JsonObject().put("model", spend.model())
          .put("api_key", SpendLog.apiKey(spend.keyId(), spend.keyHashPrefix(), hashOf))
          .put("spend", spend.costUsd()).put("total_tokens", spend.promptTokens() + spend.completionTokens()));
    }
    JsonArray report = new JsonArray();
    days.forEach((day, groups) -> report.add(new JsonObject()
        .put("group_by_day", LocalDate.ofEpochDay(day) + "T00:00:00+00:00")
        .put(field, new JsonArray(new ArrayList<>(groups.values())))));
    return report;
  }

  /**
   * Per key, the costliest first: {@code api_key} (its hash), {@code total_cost}, {@code total_input_tokens},
   * {@code total_output_tokens} and {@code model_details}, the same per model.
   */
  static JsonArray byKey(List<TenantStore.DaySpend> spends, Function<String, String> hashOf) {
    Map<String, Map<String, long[]>> tokens = new LinkedHashMap<>();
    Map<String, Map<String, double[]>> costs = new LinkedHashMap<>();
    for (TenantStore.DaySpend spend : spends) {
      String key = SpendLog.apiKey(spend.keyId(), spend.keyHashPrefix(), hashOf);
      String model = spend.model() == null ? "" : spend.model();
      long[] counted = tokens.computeIfAbsent(key, k -> new LinkedHashMap<>()).computeIfAbsent(model,
          m -> new long[2]);
      counted[0] += spend.promptTokens();
      counted[1] += spend.completionTokens();
      costs.computeIfAbsent(key, k -> new LinkedHashMap<>()).computeIfAbsent(model, m -> new double[1])[0]
          += spend.costUsd();
    }
    List<JsonObject> keys = new ArrayList<>();
    tokens.forEach((key, models) -> {
      JsonArray details = new JsonArray();
      double cost = 0;
      long input = 0;
      long output = 0;
      for (Map.Entry<String, long[]> model : models.entrySet()) {
        double modelCost = costs.get(key).get(model.getKey())[0];
        details.add(new JsonObject().put("model", model.getKey()).put("total_cost", modelCost)
            .put("total_input_tokens", model.getValue()[0]).put("total_output_tokens", model.getValue()[1]));
        cost += modelCost;
        input += model.getValue()[0];
        output += model.getValue()[1];
      }
      keys.add(new JsonObject().put("api_key", key).put("total_cost", cost).put("total_input_tokens", input)
          .put("total_output_tokens", output).put("model_details", details));
    });
    keys.sort(Comparator.comparingDouble((JsonObject key) -> key.getDouble("total_cost")).reversed());
    return new JsonArray(new ArrayList<>(keys));
  }

  private static String blankless(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
