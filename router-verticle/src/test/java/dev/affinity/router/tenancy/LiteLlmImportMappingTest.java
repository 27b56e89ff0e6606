package dev.affinity.router.tenancy;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A LiteLLM row (column to value, as read) into Affinity's key or team, with LiteLLM's meaning. */
class LiteLlmImportMappingTest {

  private static final long DAY = Duration.ofDays(1).toMillis();
  private static final long NOW = Instant.parse("2026-06-01T00:00:00Z").toEpochMilli();

  private static Map<String, Object> keyRow(String key) {
    Map<String, Object> row = new HashMap<>();
    row.put("token", KeyToken.hash(key));
    row.put("spend", 0.0);
    row.put("permissions", new JsonObject());
    row.put("soft_budget_cooldown", false);
    return row;
  }

  @Test
  void everyModelInLiteLlmsWordsIsAnEmptyList() {
    Map<String, Object> row = keyRow("sk-one");
    row.put("models", List.of("all-proxy-models"));
    assertThat(LiteLlmImport.key(row, NOW).value().models()).isEmpty();
    row.put("models", List.of("all-team-models"));
    assertThat(LiteLlmImport.key(row, NOW).value().models()).isEmpty();
    row.put("models", List.of("claude-*", "haiku"));
    assertThat(LiteLlmImport.key(row, NOW).value().models()).containsExactly("claude-*", "haiku");
  }

  @Test
  void theKeyIsTheSameHashWithAnIdEveryNodeDerivesAlike() {
    VirtualKey key = LiteLlmImport.key(keyRow("sk-two"), NOW).value();
    assertThat(key.tokenHash()).isEqualTo(KeyToken.hash("sk-two"));
    assertThat(key.id()).isEqualTo(LiteLlmImport.key(keyRow("sk-two"), NOW + 5).value().id())
        .isNotEqualTo(LiteLlmImport.key(keyRow("sk-three"), NOW).value().id());
    // a token still in the clear is hashed; anything else that is no SHA-256 is refused, naming the column
    Map<String, Object> clear = keyRow("x");
    clear.put("token", "sk-two");
    assertThat(LiteLlmImport.key(clear, NOW).value().tokenHash()).isEqualTo(KeyToken.hash("sk-two"));
    clear.put("token", "not-a-hash");
    assertThatThrownBy(() -> LiteLlmImport.key(clear, NOW)).hasMessageStartingWith("token ");
  }

  @Test
  void limitsExpiryBlockAndCreationKeepTheirMeaning() {
    Map<String, Object> row = keyRow("sk-four");
    row.put("rpm_limit", 10L);
    row.put("tpm_limit", 2000L);
    row.put("max_parallel_requests", 3);
    row.put("max_budget", 5.5);
    row.put("expires", Instant.ofEpochMilli(NOW - DAY));
    row.put("blocked", null);
    row.put("created_at", Instant.ofEpochMilli(NOW - 3 * DAY));
    VirtualKey key = LiteLlmImport.key(row, NOW).value();
    assertThat(key.allowance()).isEqualTo(new Allowance(10L, 2000L, 3L, 5.5, null));
    assertThat(key.expired(NOW)).isTrue();
    assertThat(key.blocked()).isFalse();
    assertThat(key.createdAt()).isEqualTo(NOW - 3 * DAY);
    row.put("blocked", true);
    assertThat(LiteLlmImport.key(row, NOW).value().blocked()).isTrue();
  }

  @Test
  void theBudgetResetsWhenLiteLlmsWouldHave() {
    Map<String, Object> row = keyRow("sk-five");
    row.put("max_budget", 10.0);
    row.put("budget_duration", "30d");
    row.put("created_at", Instant.ofEpochMilli(NOW - 40 * DAY));
    row.put("budget_reset_at", Instant.ofEpochMilli(NOW + 5 * DAY));
    row.put("spend", 4.0);
    LiteLlmImport.Mapped<VirtualKey> mapped = LiteLlmImport.key(row, NOW);
    long anchor = mapped.value().createdAt();
    // moved back less than a period, onto LiteLLM's schedule: this period ends at LiteLLM's reset
    assertThat(anchor).isLessThanOrEqualTo(NOW - 40 * DAY).isGreaterThan(NOW - 70 * DAY);
    long start = Periods.periodStart(anchor, 30 * DAY, NOW);
    assertThat(start + 30 * DAY).isEqualTo(NOW + 5 * DAY);
    // the spend is dated in this period, so it counts now
    assertThat(mapped.spend()).isEqualTo(4.0);
    assertThat(mapped.spendAt()).isGreaterThanOrEqualTo(start);

    // LiteLLM's reset is overdue: its spend belongs to the period that ended and no longer counts
    row.put("budget_reset_at", Instant.ofEpochMilli(NOW - DAY));
    LiteLlmImport.Mapped<VirtualKey> overdue = LiteLlmImport.key(row, NOW);
    assertThat(overdue.spendAt())
        .isLessThan(Periods.periodStart(overdue.value().createdAt(), 30 * DAY, NOW));
  }

  @Test
  void withoutABudgetPeriodTheSpendCountsForGood() {
    Map<String, Object> row = keyRow("sk-six");
    row.put("spend", 2.0);
    row.put("max_budget", 1.0);
    row.put("created_at", Instant.ofEpochMilli(NOW - 100 * DAY));
    LiteLlmImport.Mapped<VirtualKey> mapped = LiteLlmImport.key(row, NOW);
    assertThat(mapped.value().createdAt()).isEqualTo(NOW - 100 * DAY);
    assertThat(mapped.spendAt()).isEqualTo(NOW);
    row.put("spend", -1.0);
    assertThat(LiteLlmImport.key(row, NOW).spend()).isZero();
  }

  @Test
  void aValueAffinityCannotTakeNamesItsColumn() {
    Map<String, Object> row = keyRow("sk-seven");
    row.put("budget_duration", "1y");
    assertThatThrownBy(() -> LiteLlmImport.key(row, NOW)).hasMessageStartingWith("budget_duration ");
    row.remove("budget_duration");
    row.put("key_alias", "a".repeat(300));
    assertThatThrownBy(() -> LiteLlmImport.key(row, NOW)).hasMessageStartingWith("key_alias ");
    row.remove("key_alias");
    row.put("rpm_limit", -1L);
    assertThatThrownBy(() -> LiteLlmImport.key(row, NOW)).hasMessageStartingWith("rpm_limit ");
  }

  @Test
  void columnsAffinityHasNoFieldForAreNamedWhenSet() {
    Map<String, Object> row = keyRow("sk-eight");
    row.put("user_id", "alice");
    row.put("organization_id", null);
    row.put("model_max_budget", new JsonObject().put("gpt-4o", 1.0));
    row.put("allowed_cache_controls", List.of());
    row.put("some_future_column", "ignored");
    assertThat(LiteLlmImport.key(row, NOW).notImported()).containsExactly("user_id", "model_max_budget");
  }

  @Test
  void aTeamKeepsItsModelsLimitsBudgetAndBlock() {
    Map<String, Object> row = new HashMap<>();
    row.put("team_id", "team-1");
    row.put("team_alias", "One");
    row.put("models", List.of("sonnet"));
    row.put("max_budget", 50.0);
    row.put("budget_duration", "7d");
    row.put("tpm_limit", 1000L);
    row.put("rpm_limit", 20L);
    row.put("max_parallel_requests", 4);
    row.put("blocked", true);
    row.put("spend", 7.0);
    row.put("metadata", new JsonObject().put("cost_center", "42"));
    row.put("members_with_roles", new io.vertx.core.json.JsonArray().add(new JsonObject().put("role", "admin")));
    LiteLlmImport.Mapped<Team> mapped = LiteLlmImport.team(row, NOW);
    Team team = mapped.value();
    assertThat(team.teamAlias()).isEqualTo("One");
    assertThat(team.models()).containsExactly("sonnet");
    assertThat(team.allowance()).isEqualTo(new Allowance(20L, 1000L, 4L, 50.0, "7d"));
    assertThat(team.blocked()).isTrue();
    assertThat(team.metadata()).containsEntry("cost_center", "42");
    assertThat(mapped.spend()).isEqualTo(7.0);
    assertThat(mapped.notImported()).containsExactly("members_with_roles");
    row.remove("team_id");
    assertThatThrownBy(() -> LiteLlmImport.team(row, NOW)).hasMessageStartingWith("team_id ");
  }
}
