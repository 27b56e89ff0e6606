package dev.affinity.router.tenancy;

import dev.affinity.model.GatewayError;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TenantPolicyTest {

  private static final long NOW = 1_700_000_000_000L;
  private static final Function<String, Set<String>> NO_GROUPS = model -> Set.of();

  private static VirtualKey key(List<String> models, Allowance allowance, boolean blocked, Long expires) {
    return new VirtualKey("k1", KeyToken.hash("sk-test-key-000000000"), "sk-...0000", "alias", "t1", models,
        allowance, expires, Map.of(), Map.of(), blocked, NOW - 10_000);
  }

  private static Team team(List<String> models, Allowance allowance, boolean blocked) {
    return new Team("t1", null, models, allowance, Map.of(), blocked, List.of(), NOW - 20_000);
  }

  @Test
  void modelAccessIsTheKeysAndTheTeams() {
    Identity identity = Identity.of(key(List.of("claude-*"), Allowance.NONE, false, null),
        team(List.of("claude-sonnet-4-5", "gpt-4o"), Allowance.NONE, false));
    assertThat(TenantPolicy.refusal(identity, "claude-sonnet-4-5", NO_GROUPS, NOW)).isNull();
    GatewayError byKey = TenantPolicy.refusal(identity, "gpt-4o", NO_GROUPS, NOW);
    assertThat(byKey.status()).isEqualTo(403);
    assertThat(byKey.message()).contains("gpt-4o").contains("this key");
    GatewayError byTeam = TenantPolicy.refusal(identity, "claude-opus-4", NO_GROUPS, NOW);
    assertThat(byTeam.status()).isEqualTo(403);
    assertThat(byTeam.message()).contains("team 't1'");
  }

  /** LiteLLM's model access groups: a key or team naming a group may call every model in it, and no other. */
  @Test
  void aModelAccessGroupNamedByTheKeyOrTeamAllowsItsModels() {
    Function<String, Set<String>> groups = Map.of("gpt-4o", Set.of("beta-models", "openai"),
        "claude-sonnet-4-5", Set.of("prod-models"))::get;
    Function<String, Set<String>> accessGroups = model -> groups.apply(model) == null ? Set.of() : groups.apply(model);
    Identity byKey = Identity.of(key(List.of("beta-models"), Allowance.NONE, false, null), null);
    assertThat(TenantPolicy.refusal(byKey, "gpt-4o", accessGroups, NOW)).isNull();
    assertThat(TenantPolicy.refusal(byKey, "claude-sonnet-4-5", accessGroups, NOW).status()).isEqualTo(403);
    assertThat(TenantPolicy.refusal(byKey, "unknown-model", accessGroups, NOW).status()).isEqualTo(403);
    assertThat(TenantPolicy.refusal(byKey, "gpt-4o", NO_GROUPS, NOW).status()).as("no groups configured")
        .isEqualTo(403);
    Identity byTeam = Identity.of(key(List.of(), Allowance.NONE, false, null),
        team(List.of("prod-models"), Allowance.NONE, false));
    assertThat(TenantPolicy.refusal(byTeam, "claude-sonnet-4-5", accessGroups, NOW)).isNull();
    GatewayError refused = TenantPolicy.refusal(byTeam, "gpt-4o", accessGroups, NOW);
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.message()).contains("team 't1'");
    Identity both = Identity.of(key(List.of("beta-models"), Allowance.NONE, false, null),
        team(List.of("prod-models"), Allowance.NONE, false));
    assertThat(TenantPolicy.refusal(both, "gpt-4o", accessGroups, NOW)).as("the team must allow it too")
        .isNotNull();
  }

  @Test
  void noModelNamedLeavesTheModelsToTheRouterButNotTheKeysState() {
    // an operation on a stored response: its alias is known once the router reads the id (Tenants.reachable)
    Identity identity = Identity.of(key(List.of("claude-*"), Allowance.NONE, false, null),
        team(List.of("claude-sonnet-4-5"), Allowance.NONE, false));
    assertThat(TenantPolicy.refusal(identity, null, NO_GROUPS, NOW)).isNull();
    assertThat(TenantPolicy.refusal(Identity.of(key(List.of("m"), Allowance.NONE, true, null), null), null,
        NO_GROUPS, NOW).status()).isEqualTo(401);
    assertThat(TenantPolicy.refusal(Identity.of(key(List.of(), Allowance.NONE, false, null),
        team(List.of(), Allowance.NONE, true)), null, NO_GROUPS, NOW).status()).isEqualTo(401);
  }

  @Test
  void blockedExpiredAndBlockedTeamAre401() {
    assertThat(TenantPolicy.refusal(Identity.of(key(List.of(), Allowance.NONE, true, null), null), "m", NO_GROUPS,
        NOW).status()).isEqualTo(401);
    assertThat(TenantPolicy.refusal(Identity.of(key(List.of(), Allowance.NONE, false, NOW), null), "m", NO_GROUPS,
        NOW).message()).contains("expired");
    assertThat(TenantPolicy.refusal(Identity.of(key(List.of(), Allowance.NONE, false, NOW + 1), null), "m",
        NO_GROUPS, NOW)).isNull();
    assertThat(TenantPolicy.refusal(Identity.of(key(List.of(), Allowance.NONE, false, null),
        team(List.of(), Allowance.NONE, true)), "m", NO_GROUPS, NOW).message()).contains("team");
  }

  @Test
  void admissionChargesEveryLimitOfKeyAndTeamAndNamesIt() {
    Identity identity = Identity.of(key(List.of(), new Allowance(10L, 1000L, 2L, 1.5, "1d"), false, null),
        team(List.of(), new Allowance(100L, null, null, null, null), false));
    List<Charge> charges = TenantPolicy.admission(identity, NOW);
    assertThat(charges).extracting(Charge::counter).containsExactly(
        "rpm:key:k1:" + NOW / 60_000, "tpm:key:k1:" + NOW / 60_000, "par:key:k1",
        TenantPolicy.spendCounter("key", "k1", identity.key().allowance(), NOW - 10_000, NOW),
        "rpm:team:t1:" + NOW / 60_000);
    assertThat(charges).extracting(Charge::amount).containsExactly(1L, 0L, 1L, 0L, 1L);
    Charge budget = charges.get(3);
    assertThat(budget.limit()).isEqualTo(1_500_000_000L);
    GatewayError refused = TenantPolicy.refused(budget);
    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.type()).isEqualTo("billing_error");
    assertThat(refused.message()).contains("max_budget 1.5").contains("key 'alias'").contains("1d");
    assertThat(TenantPolicy.refused(charges.get(0)).message()).contains("rpm_limit 10");
    assertThat(TenantPolicy.releases(charges)).singleElement()
        .satisfies(release -> assertThat(release.amount()).isEqualTo(-1));
  }

  @Test
  void aZeroLimitRefusesOutright() {
    Identity identity = Identity.of(key(List.of(), new Allowance(null, null, null, 0.0, null), false, null), null);
    assertThat(TenantPolicy.exhaustedOutright(TenantPolicy.admission(identity, NOW)).refusal())
        .contains("max_budget 0.0");
  }

  @Test
  void budgetPeriodsRunFromTheKeysCreation() {
    long day = 86_400_000L;
    assertThat(Periods.periodStart(1000, day, 1000 + 3 * day + 5)).isEqualTo(1000 + 3 * day);
    assertThat(Periods.periodStart(1000, 0, 99_999)).isZero();
    assertThat(Periods.parse("duration", "1mo").toDays()).isEqualTo(30);
    assertThatThrownBy(() -> Periods.parse("budget_duration", "soon")).hasMessageContaining("budget_duration");
    assertThatThrownBy(() -> new Allowance(-1L, null, null, null, null)).hasMessageContaining("rpm_limit");
  }
}
