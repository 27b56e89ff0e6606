package dev.affinity.router.tenancy;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** LiteLLM's 30-day spend overviews over rows of the spend log, without a store. */
class GlobalSpendTest {

  private static final long DAY = LocalDate.of(2026, 12, 1).toEpochDay();
  private static final VirtualKey KEPT = new VirtualKey("k1", "hash-of-k1", "sk-...kept", "kept-alias", "t1",
      List.of(), null, null, null, null, false, 0);

  private static TenantStore.DaySpend spend(long day, String keyId, String teamId, String model, double usd) {
    return new TenantStore.DaySpend(day, keyId, keyId == null ? null : "prefix-" + keyId, teamId, model, usd, 10, 5, 1);
  }

  private static final List<TenantStore.DaySpend> SPENDS = List.of(
      spend(DAY + 1, "k1", "t1", "sonnet", 0.004),
      spend(DAY, "k1", "t1", "haiku", 0.002),
      spend(DAY, "gone", null, "sonnet", 0.5),
      spend(DAY, "k1", "t1", "", 0.001));

  @Test
  void theWindowStartsAtMidnightThirtyDaysBack() {
    SpendFilter window = GlobalSpend.window(LocalDate.of(2026, 12, 31), "k1");
    assertThat(window.fromMillis()).isEqualTo(LocalDate.of(2026, 12, 1).atStartOfDay(ZoneOffset.UTC).toInstant()
        .toEpochMilli());
    assertThat(window.beforeMillis()).isEqualTo(Long.MAX_VALUE);
    assertThat(window.keyId()).isEqualTo("k1");
  }

  @Test
  void keysAreTheCostliestFirstNamedByHashWithTheirAlias() {
    JsonArray keys = GlobalSpend.byKey(SPENDS, 10, id -> id.equals("k1") ? KEPT : null);
    assertThat(keys).hasSize(2);
    JsonObject gone = keys.getJsonObject(0);
    assertThat(gone.getString("api_key")).as("a deleted key: the hash prefix its rows kept").isEqualTo("prefix-gone");
    assertThat(gone.getString("key_alias")).isNull();
    assertThat(gone.getDouble("total_spend")).isEqualTo(0.5);
    JsonObject kept = keys.getJsonObject(1);
    assertThat(kept.getString("api_key")).isEqualTo("hash-of-k1");
    assertThat(kept.getString("key_alias")).isEqualTo("kept-alias");
    assertThat(kept.getString("key_name")).isEqualTo("sk-...kept");
    assertThat(kept.getDouble("total_spend")).isCloseTo(0.007, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(GlobalSpend.byKey(SPENDS, 1, id -> KEPT)).hasSize(1);
  }

  @Test
  void modelsWithoutANameAreLeftOut() {
    JsonArray models = GlobalSpend.byModel(SPENDS, 10);
    assertThat(models.stream().map(model -> ((JsonObject) model).getString("model"))).containsExactly("sonnet",
        "haiku");
    assertThat(models.getJsonObject(0).getDouble("total_spend")).isCloseTo(0.504,
        org.assertj.core.data.Offset.offset(1e-12));
  }

  @Test
  void daysComeOldestFirst() {
    JsonArray days = GlobalSpend.perDay(SPENDS, "hash-of-k1");
    assertThat(days.stream().map(day -> ((JsonObject) day).getString("date"))).containsExactly("2026-12-01",
        "2026-12-02");
    assertThat(days.getJsonObject(0).getDouble("spend")).isCloseTo(0.503, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(days.getJsonObject(0).getString("api_key")).isEqualTo("hash-of-k1");
    assertThat(GlobalSpend.perDay(SPENDS, null).getJsonObject(0).containsKey("api_key")).isFalse();
    assertThat(GlobalSpend.total(SPENDS).getDouble("spend")).isCloseTo(0.507,
        org.assertj.core.data.Offset.offset(1e-12));
  }

  @Test
  void teamsAreChartedPerDayInCentsAndTheTenCostliestTotalled() {
    List<TenantStore.DaySpend> spends = new ArrayList<>(SPENDS);
    for (int i = 0; i < 12; i++) {
      spends.add(spend(DAY, "k" + i, "team-" + i, "sonnet", 0.01 * (i + 1)));
    }
    JsonObject teams = GlobalSpend.byTeam(spends, id -> id.equals("t1") ? "alias-one" : id);
    JsonObject first = teams.getJsonArray("daily_spend").getJsonObject(0);
    assertThat(first.getString("date")).isEqualTo("2026-12-01");
    assertThat(first.getDouble(GlobalSpend.NO_TEAM)).isEqualTo(0.5);
    assertThat(first.getDouble("alias-one")).as("0.003 to the cent").isEqualTo(0.0);
    assertThat(teams.getJsonArray("daily_spend").getJsonObject(1).getDouble("alias-one")).isEqualTo(0.0);
    assertThat(teams.getJsonArray("teams")).contains("alias-one", GlobalSpend.NO_TEAM, "team-11");
    JsonArray top = teams.getJsonArray("total_spend_per_team");
    assertThat(top).hasSize(10);
    assertThat(top.getJsonObject(0).getString("team_id")).isEqualTo(GlobalSpend.NO_TEAM);
    assertThat(top.getJsonObject(1)).isEqualTo(new JsonObject().put("team_id", "team-11").put("total_spend", 0.12));
  }

  @Test
  void aLimitIsAWholeNumberAndNothingElseIsTaken() {
    assertThat(GlobalSpend.limit(MultiMap.caseInsensitiveMultiMap(), "/global/spend/keys"))
        .isEqualTo(Integer.MAX_VALUE);
    assertThat(GlobalSpend.limit(MultiMap.caseInsensitiveMultiMap().addAll(Map.of("limit", "5")), "/x")).isEqualTo(5);
    for (String bad : List.of("0", "-1", "five", "")) {
      assertThatThrownBy(() -> GlobalSpend.limit(MultiMap.caseInsensitiveMultiMap().addAll(Map.of("limit", bad)),
          "/x")).hasMessageContaining("limit");
    }
    assertThatThrownBy(() -> GlobalSpend.limit(MultiMap.caseInsensitiveMultiMap().addAll(Map.of("top", "5")),
        "/global/spend/keys")).hasMessageContaining("'top'").hasMessageContaining("/global/spend/keys");
  }

  @Test
  void perProviderTheCostliestFirstAndDeploymentsNoLongerConfiguredStillCounted() {
    List<TenantStore.GroupSpend> spends = List.of(new TenantStore.GroupSpend("a1", 3, 0.25),
        new TenantStore.GroupSpend("bedrock-1", 1, 0.5), new TenantStore.GroupSpend("a2", 1, 0.5),
        new TenantStore.GroupSpend("removed", 1, 0.125));
    java.util.Map<String, String> providers = java.util.Map.of("a1", "anthropic", "a2", "anthropic",
        "bedrock-1", "bedrock");
    assertThat(GlobalSpend.byProvider(spends, providers::get)).containsExactly(
        new io.vertx.core.json.JsonObject().put("provider", "anthropic").put("spend", 0.75),
        new io.vertx.core.json.JsonObject().put("provider", "bedrock").put("spend", 0.5),
        new io.vertx.core.json.JsonObject().put("provider", GlobalSpend.UNKNOWN_PROVIDER).put("spend", 0.125));
    assertThatThrownBy(() -> GlobalSpend.providerFilter(io.vertx.core.MultiMap.caseInsensitiveMultiMap()))
        .hasMessageContaining("start_date and end_date are required");
  }
}
