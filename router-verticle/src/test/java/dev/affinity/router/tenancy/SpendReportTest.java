package dev.affinity.router.tenancy;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** LiteLLM's spend report over rows of the spend log, without a store. */
class SpendReportTest {

  private static final long DAY = LocalDate.of(2026, 12, 8).toEpochDay();

  private static MultiMap range(String... more) {
    MultiMap parameters = MultiMap.caseInsensitiveMultiMap().add("start_date", "2026-12-01")
        .add("end_date", "2026-12-08");
    for (int i = 0; i < more.length; i += 2) {
      parameters.add(more[i], more[i + 1]);
    }
    return parameters;
  }

  @Test
  void groupByChoosesTheReportAndAKeyNamedAlwaysReportsPerKey() {
    assertThat(SpendReport.Query.of(range()).grouping()).isEqualTo(SpendReport.Grouping.TEAM);
    assertThat(SpendReport.Query.of(range("group_by", "customer")).grouping())
        .isEqualTo(SpendReport.Grouping.CUSTOMER);
    assertThat(SpendReport.Query.of(range("group_by", "api_key")).grouping()).isEqualTo(SpendReport.Grouping.KEY);
    assertThat(SpendReport.Query.of(range("group_by", "customer", "api_key", "sk-x")).grouping())
        .isEqualTo(SpendReport.Grouping.KEY);
    assertThatThrownBy(() -> SpendReport.Query.of(range("group_by", "model")))
        .hasMessage("group_by must be team, customer or api_key");
    assertThatThrownBy(() -> SpendReport.Query.of(range("customer_id", "acme")))
        .hasMessageContaining("group_by=customer");
  }

  @Test
  void perCustomerEachDaysEndUsersWithTheirKeysAndModels() {
    List<TenantStore.DaySpend> spends = List.of(
        new TenantStore.DaySpend(DAY, "k1", "p1", "t1", "sonnet", 0.5, 100, 10, 2, "user-a"),
        new TenantStore.DaySpend(DAY, "k2", "p2", null, "haiku", 0.25, 40, 4, 1, "user-a"),
        new TenantStore.DaySpend(DAY, "k1", "p1", "t1", "sonnet", 0.125, 5, 5, 1, null));
    JsonArray report = SpendReport.byCustomer(spends, id -> "hash-" + id);
    assertThat(report).hasSize(1);
    JsonObject day = report.getJsonObject(0);
    assertThat(day.getString("group_by_day")).isEqualTo("2026-12-08T00:00:00+00:00");
    assertThat(day.getJsonArray("customers")).containsExactly(
        new JsonObject().put("customer", "user-a").put("total_spend", 0.75).put("metadata", new JsonArray()
            .add(new JsonObject().put("model", "sonnet").put("api_key", "hash-k1").put("spend", 0.5)
                .put("total_tokens", 110L))
            .add(new JsonObject().put("model", "haiku").put("api_key", "hash-k2").put("spend", 0.25)
                .put("total_tokens", 44L))),
        new JsonObject().putNull("customer").put("total_spend", 0.125).put("metadata", new JsonArray()
            .add(new JsonObject().put("model", "sonnet").put("api_key", "hash-k1").put("spend", 0.125)
                .put("total_tokens", 10L))));
  }
}
