package dev.affinity.router.tenancy;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** LiteLLM's activity charts over rows of the spend log, without a store. */
class GlobalActivityTest {

  private static final long NOV_30 = LocalDate.of(2026, 11, 30).toEpochDay();

  private static TenantStore.DaySpend calls(long day, String model, long calls, long tokens) {
    return new TenantStore.DaySpend(day, "k1", "prefix", null, model, 0.01, tokens - 1, 1, calls);
  }

  @Test
  void callsAndTokensAddUpPerDayOldestFirstAcrossMonths() {
    JsonObject chart = GlobalActivity.total(List.of(
        calls(NOV_30 + 1, "sonnet", 2, 100),
        calls(NOV_30, "sonnet", 1, 10),
        calls(NOV_30 + 1, "haiku", 3, 5)));
    assertThat(chart.getJsonArray("daily_data")).containsExactly(
        new JsonObject().put("date", "Nov 30").put("api_requests", 1L).put("total_tokens", 10L),
        new JsonObject().put("date", "Dec 01").put("api_requests", 5L).put("total_tokens", 105L));
    assertThat(chart.getLong("sum_api_requests")).isEqualTo(6);
    assertThat(chart.getLong("sum_total_tokens")).isEqualTo(115);
    assertThat(GlobalActivity.total(List.of())).isEqualTo(new JsonObject().put("daily_data", new JsonArray())
        .put("sum_api_requests", 0L).put("sum_total_tokens", 0L));
  }

  @Test
  void perModelTheTenWithTheMostCallsEachWithItsDays() {
    List<TenantStore.DaySpend> spends = new ArrayList<>();
    for (int model = 0; model < 12; model++) {
      spends.add(calls(NOV_30, "m" + (char) ('a' + model), model + 1, 10));
    }
    spends.add(calls(NOV_30 + 1, "ml", 1, 7));
    spends.add(calls(NOV_30, "", 50, 10)); // a row without a model (LiteLLM's import) is in no model's chart
    JsonArray charts = GlobalActivity.byModel(spends);
    assertThat(charts).hasSize(GlobalActivity.TOP_MODELS);
    assertThat(charts.stream().map(chart -> ((JsonObject) chart).getString("model")).toList())
        .containsExactly("ml", "mk", "mj", "mi", "mh", "mg", "mf", "me", "md", "mc");
    JsonObject top = charts.getJsonObject(0);
    assertThat(top.getLong("sum_api_requests")).isEqualTo(13);
    assertThat(top.getLong("sum_total_tokens")).isEqualTo(17);
    assertThat(top.getJsonArray("daily_data")).containsExactly(
        new JsonObject().put("date", "Nov 30").put("api_requests", 12L).put("total_tokens", 10L)
            .put("model_group", "ml"),
        new JsonObject().put("date", "Dec 01").put("api_requests", 1L).put("total_tokens", 7L)
            .put("model_group", "ml"));
  }

  @Test
  void bothDatesAreRequiredAndNothingElseIsTaken() {
    SpendFilter filter = GlobalActivity.filter(MultiMap.caseInsensitiveMultiMap()
        .add("start_date", "2026-11-30").add("end_date", "2026-12-01"), "/global/activity");
    assertThat(filter.fromMillis()).isEqualTo(LocalDate.of(2026, 11, 30).atStartOfDay(ZoneOffset.UTC).toInstant()
        .toEpochMilli());
    assertThat(filter.beforeMillis()).as("the end date included").isEqualTo(LocalDate.of(2026, 12, 2)
        .atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli());
    assertThat(filter.keyId()).isNull();
    assertThatThrownBy(() -> GlobalActivity.filter(MultiMap.caseInsensitiveMultiMap(), "/global/activity"))
        .hasMessage("start_date and end_date are required (YYYY-MM-DD)");
    assertThatThrownBy(() -> GlobalActivity.filter(MultiMap.caseInsensitiveMultiMap()
        .add("start_date", "2026-11-30"), "/global/activity")).hasMessage("end_date is required with start_date");
    assertThatThrownBy(() -> GlobalActivity.filter(MultiMap.caseInsensitiveMultiMap()
        .add("start_date", "2026-12-02").add("end_date", "2026-12-01"), "/global/activity"))
        .hasMessage("end_date must not be before start_date");
    assertThatThrownBy(() -> GlobalActivity.filter(MultiMap.caseInsensitiveMultiMap()
        .add("start_date", "2026-11-30").add("end_date", "2026-12-01").add("model_group", "x"),
        "/global/activity/model")).hasMessageStartingWith("unknown parameter 'model_group': /global/activity/model");
  }
}
