package dev.affinity.router.tenancy;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * LiteLLM's {@code GET /global/activity} and {@code /global/activity/model}, the request and token charts of its admin
 * UI, over the spend log: for the UTC days from {@code start_date} to {@code end_date} (both included, both
 * required), the calls made and the tokens they used per day, in all and per model (the alias the client asked for,
 * LiteLLM's {@code model_group}). Days without a call are left out, as LiteLLM's grouping leaves them.
 *
 * <p>One difference, on purpose: LiteLLM labels a day {@code "Jan 22"} and sorts the days by that label, so a range
 * over two months comes out in the months' alphabetical order; here the same labels come oldest first.
 */
final class GlobalActivity {

  /** How many models {@code /global/activity/model} lists, those with the most calls first, as in LiteLLM. */
  static final int TOP_MODELS = 10;
  private static final DateTimeFormatter LABEL = DateTimeFormatter.ofPattern("MMM dd", Locale.ENGLISH);

  private GlobalActivity() {
  }

  /**
   * The rows a request reads: its days, of every key.
   *
   * @throws IllegalArgumentException naming the parameter that is wrong
   */
  static SpendFilter filter(MultiMap parameters, String path) {
    return QueryParameters.everyKeyOnDays(parameters, path, 1); // per-day sums: the limit is not read
  }

  /** {@code /global/activity}: {@code daily_data}, {@code sum_api_requests} and {@code sum_total_tokens}. */
  static JsonObject total(List<TenantStore.DaySpend> spends) {
    return chart(daily(spends));
  }

  /**
   * {@code /global/activity/model}: per model, the {@value #TOP_MODELS} with the most calls (ties by name), each its
   * {@code model}, {@code daily_data} (each day also naming its {@code model_group}, as LiteLLM's rows do) and sums.
   */
  static JsonArray byModel(List<TenantStore.DaySpend> spends) {
    Map<String, List<TenantStore.DaySpend>> models = new TreeMap<>();
    for (TenantStore.DaySpend spend : spends) {
      if (spend.model() != null && !spend.model().isEmpty()) {
        models.computeIfAbsent(spend.model(), model -> new ArrayList<>()).add(spend);
      }
    }
    List<JsonObject> charts = new ArrayList<>();
    models.forEach((model, ofModel) -> {
      Map<Long, long[]> days = daily(ofModel);
      JsonObject chart = new JsonObject().put("model", model).mergeIn(chart(days));
      chart.getJsonArray("daily_data").forEach(day -> ((JsonObject) day).put("model_group", model));
      charts.add(chart);
    });
    JsonArray answer = new JsonArray();
    charts.stream()
        .sorted(Comparator.comparingLong((JsonObject chart) -> chart.getLong("sum_api_requests")).reversed())
        .limit(TOP_MODELS)
        .forEach(answer::add);
    return answer;
  }

  /** Calls and tokens per day (days since the epoch), oldest first. */
  private static Map<Long, long[]> daily(List<TenantStore.DaySpend> spends) {
    Map<Long, long[]> days = new TreeMap<>();
    for (TenantStore.DaySpend spend : spends) {
      long[] day = days.computeIfAbsent(spend.day(), d -> new long[2]);
      day[0] += spend.calls();
      day[1] += spend.promptTokens() + spend.completionTokens();
    }
    return days;
  }

  private static JsonObject chart(Map<Long, long[]> days) {
    JsonArray daily = new JsonArray();
    long requests = 0;
    long tokens = 0;
    for (Map.Entry<Long, long[]> day : days.entrySet()) {
      daily.add(new JsonObject().put("date", LocalDate.ofEpochDay(day.getKey()).format(LABEL))
          .put("api_requests", day.getValue()[0]).put("total_tokens", day.getValue()[1]));
      requests += day.getValue()[0];
      tokens += day.getValue()[1];
    }
    return new JsonObject().put("daily_data", daily).put("sum_api_requests", requests).put("sum_total_tokens", tokens);
  }
}
