package dev.affinity.router.tenancy;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * LiteLLM's {@code GET /spend/logs} over the spend log ({@code affinity_spend}): one row per upstream call made for a
 * virtual key, in LiteLLM's field names, newest first; or, for a date range, LiteLLM's summary of it, USD per day,
 * per key and per model. Rows reach the store from the cluster in batches, so the newest calls show after a few
 * seconds. The key a row names is its hash ({@code api_key}, as LiteLLM's rows do), never the key.
 */
final class SpendLog {

  /** Rows answered when the request does not say; LiteLLM answers every row, which a large log cannot. */
  static final int DEFAULT_LIMIT = 1_000;
  static final int MAX_LIMIT = 10_000;
  private static final Set<String> PARAMETERS = Set.of("api_key", "request_id", "start_date", "end_date",
      "summarize", "limit", "user_id");

  private SpendLog() {
  }

  /**
   * A request's parameters.
   *
   * @param key       the key whose rows ({@code api_key}: the key or its hash), or null
   * @param start     the first day (UTC) of the range, or null for none; with {@code end}
   * @param end       the last day of the range, included
   * @param summarize whether a range is answered as LiteLLM's per-day summary (its default) rather than rows
   */
  record Query(String key, String requestId, LocalDate start, LocalDate end, boolean summarize, int limit) {

    /** @throws IllegalArgumentException naming the parameter that is wrong */
    static Query of(MultiMap parameters) {
      QueryParameters.only(parameters, PARAMETERS, "/spend/logs takes api_key, request_id, start_date and end_date"
          + " (YYYY-MM-DD, both or neither), summarize and limit");
      if (parameters.get("user_id") != null) {
        throw new IllegalArgumentException("user_id: Affinity has no users (LiteLLM's user_id is not kept);"
            + " ask by api_key or team instead");
      }
      QueryParameters.Days days = QueryParameters.days(parameters, false);
      String summarize = parameters.get("summarize");
      if (summarize != null && !summarize.equals("true") && !summarize.equals("false")) {
        throw new IllegalArgumentException("summarize must be true or false");
      }
      return new Query(blankless(parameters.get("api_key")), blankless(parameters.get("request_id")),
          days == null ? null : days.first(), days == null ? null : days.last(),
          !"false".equals(summarize),
          QueryParameters.wholeNumber(parameters.get("limit"), "limit", DEFAULT_LIMIT, MAX_LIMIT));
    }

    boolean summarized() {
      return start != null && summarize;
    }

    /** The rows this query reads of {@code keyId}'s (null: every key's). */
    SpendFilter filter(String keyId) {
      return SpendFilter.ofDays(keyId, null, requestId, start, end, limit);
    }
  }

  /** The rows as LiteLLM's {@code LiteLLM_SpendLogs} objects; {@code hashOf} gives a key id's current hash, or null. */
  static JsonArray rows(List<SpendRow> rows, Function<String, String> hashOf) {
    JsonArray answer = new JsonArray();
    for (SpendRow row : rows) {
      long prompt = row.inputTokens() + row.cacheWriteTokens() + row.cacheReadTokens();
      answer.add(new JsonObject()
          .put("request_id", row.requestId())
          .put("api_key", apiKey(row.keyId(), row.keyHashPrefix(), hashOf))
          .put("spend", row.costUsd())
          .put("total_tokens", prompt + row.outputTokens())
          .put("prompt_tokens", prompt)
          .put("completion_tokens", row.outputTokens())
          .put("startTime", Instant.ofEpochMilli(row.createdAt() - row.latencyMillis()).toString())
          .put("endTime", Instant.ofEpochMilli(row.createdAt()).toString())
          .put("model", row.model())
          .put("model_group", row.model())
          .put("model_id", row.deployment())
          .put("team_id", row.teamId())
          .put("end_user", row.endUser())
          .put("request_tags", new JsonArray(row.requestTags()))
          // status 0: the spend a LiteLLM import carried over (route litellm-import), not a failed call
          .put("status", row.status() >= 400 ? "failure" : "success")
          .put("metadata", new JsonObject()
              .put("user_api_key_alias", row.keyAlias())
              .put("status_code", row.status())
              .put("route", row.route())
              .put("cache_read_input_tokens", row.cacheReadTokens())
              .put("cache_creation_input_tokens", row.cacheWriteTokens())
              .put("latency_ms", row.latencyMillis())));
    }
    return answer;
  }

  /**
   * LiteLLM's summary of a range: per day with spend, oldest first, {@code startTime} (the day), {@code spend},
   * {@code models} (USD per model), {@code users} (empty: no users here) and USD per key, named by its hash. Days
   * without spend are left out (LiteLLM pads the range's end with zeros): a range of any length costs only its data.
   */
  static JsonArray summary(List<TenantStore.DaySpend> spends, Function<String, String> hashOf) {
    Map<Long, JsonObject> days = new LinkedHashMap<>();
    for (TenantStore.DaySpend spend : spends) {
      JsonObject day = days.computeIfAbsent(spend.day(), epochDay -> new JsonObject()
          .put("startTime", LocalDate.ofEpochDay(epochDay).toString()).put("spend", 0.0)
          .put("users", new JsonObject()).put("models", new JsonObject()));
      day.put("spend", day.getDouble("spend") + spend.costUsd());
      String model = spend.model() == null ? "" : spend.model();
      JsonObject models = day.getJsonObject("models");
      models.put(model, models.getDouble(model, 0.0) + spend.costUsd());
      String key = apiKey(spend.keyId(), spend.keyHashPrefix(), hashOf);
      day.put(key, day.getDouble(key, 0.0) + spend.costUsd());
    }
    return new JsonArray(List.copyOf(days.values()));
  }

  /** A row's key as LiteLLM names it, its hash: as it is now, or the prefix the row kept for a key since deleted. */
  static String apiKey(String keyId, String hashPrefix, Function<String, String> hashOf) {
    String hash = keyId == null ? null : hashOf.apply(keyId);
    return hash != null ? hash : hashPrefix;
  }

  private static String blankless(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
