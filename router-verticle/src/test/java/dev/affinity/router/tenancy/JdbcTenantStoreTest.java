package dev.affinity.router.tenancy;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The store of record, on the real PostgreSQL of this machine and on the embedded file store, with one schema. */
class JdbcTenantStoreTest {

  private static TestDatabase postgres;

  @AfterAll
  static void drop() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void postgresKeepsKeysTeamsAndSpend() {
    postgres = TestDatabase.create();
    try (JdbcTenantStore store = JdbcTenantStore.postgres(postgres.url())) {
      exercise(store);
    }
    // a second node (or a restart) migrates the same database again: nothing to do, nothing lost
    try (JdbcTenantStore again = JdbcTenantStore.postgres(postgres.url())) {
      again.migrate();
      assertThat(again.keys()).hasSize(1);
      assertThat(again.spendRows()).isEqualTo(4);
    }
  }

  @Test
  void nodesMigratingANewDatabaseTogetherAllStart() throws Exception {
    try (TestDatabase fresh = TestDatabase.create()) {
      // a new schema each round: each is a new database to the store; without a lock one of two failed most rounds
      for (int round = 0; round < 5; round++) {
        try (java.sql.Connection db = java.sql.DriverManager.getConnection(fresh.url());
             java.sql.Statement sql = db.createStatement()) {
          sql.execute("CREATE SCHEMA round" + round);
        }
        String url = fresh.url() + "&currentSchema=round" + round;
        java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(2);
        java.util.concurrent.Callable<Integer> node = () -> {
          try (JdbcTenantStore store = JdbcTenantStore.postgres(url)) {
            together.await(30, java.util.concurrent.TimeUnit.SECONDS);
            store.migrate();
            return store.keys().size();
          }
        };
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
          var first = threads.submit(node);
          var second = threads.submit(node);
          assertThat(first.get(60, java.util.concurrent.TimeUnit.SECONDS)).isZero();
          assertThat(second.get(60, java.util.concurrent.TimeUnit.SECONDS)).isZero();
        } finally {
          threads.shutdown();
        }
      }
    }
  }

  @Test
  void embeddedFileStoreKeepsThemAcrossReopening() throws Exception {
    Path dir = Files.createTempDirectory("affinity-store");
    try (JdbcTenantStore store = JdbcTenantStore.embedded(dir)) {
      exercise(store);
    }
    try (JdbcTenantStore reopened = JdbcTenantStore.embedded(dir)) {
      reopened.migrate();
      assertThat(reopened.keys()).extracting(VirtualKey::keyAlias).containsExactly("renamed");
      assertThat(reopened.spendSince(false, "key-1", 0)).isEqualTo(0.75);
    }
  }

  @Test
  void postgresUrlsInLiteLlmFormTakeCredentialsWithoutShowingThem() {
    JdbcTenantStore store = JdbcTenantStore.postgres("postgresql://app:s3cret%21@db.example:6543/affinity?ssl=true");
    assertThat(store.describe()).isEqualTo("PostgreSQL at db.example:6543/affinity").doesNotContain("s3cret");
    assertThatThrownBy(() -> JdbcTenantStore.postgres("mysql://x@y/z"))
        .hasMessageContaining("general_settings.database_url");
  }

  private static void exercise(JdbcTenantStore store) {
    store.migrate();
    store.migrate();
    Team team = new Team("team-a", "Team A", List.of("claude-*"), new Allowance(10L, null, 2L, 5.0, "30d"),
        Map.of("owner", "ops"), false, List.of("acct-1"), 1_000);
    store.saveTeam(team);
    VirtualKey key = new VirtualKey("key-1", KeyToken.hash("sk-one-" + UUID.randomUUID()), "sk-...abcd", "first",
        "team-a", List.of("claude-sonnet-4-5"), new Allowance(5L, 1000L, null, 1.0, null), null,
        Map.of("purpose", "test"), Map.of(), false, 2_000);
    store.saveKey(key);
    store.saveKey(new VirtualKey(key.id(), key.tokenHash(), key.keyName(), "renamed", key.teamId(), key.models(),
        key.allowance(), key.expiresAt(), key.metadata(), key.permissions(), key.blocked(), key.createdAt()));
    assertThat(store.teams()).containsExactly(team);
    assertThat(store.keys()).singleElement().satisfies(found -> {
      assertThat(found.keyAlias()).isEqualTo("renamed");
      assertThat(found.allowance()).isEqualTo(key.allowance());
      assertThat(found.metadata()).containsEntry("purpose", "test");
    });
    SpendRow first = row("req-1@acct-1", 0.5, 10_000);
    SpendRow second = row("req-2@acct-1", 0.25, 20_000);
    store.appendSpend(List.of(first, second));
    // a batch written again after a node died between insert and remove: each row kept once
    store.appendSpend(List.of(first));
    assertThat(store.spendRows()).isEqualTo(2);
    assertThat(store.spendSince(false, "key-1", 0)).isEqualTo(0.75);
    assertThat(store.spendSince(false, "key-1", 15_000)).isEqualTo(0.25);
    assertThat(store.spendSince(true, "team-a", 0)).isEqualTo(0.75);
    store.deleteTeam("other");
    assertThat(store.teams()).hasSize(1);

    // the spend log's reports (/spend/logs): rows newest first, by key, request and time; USD per UTC day
    long day = 86_400_000L;
    store.appendSpend(List.of(new SpendRow("req-3@acct-2", "req-3", "key-2", "fedcba987654", null, null,
        "claude-haiku-4-5", "acct-2", "unpinned", 200, 5, 0, 0, 5, 0.125, 7, day + 5)));
    assertThat(store.spendRows(new SpendFilter(null, null, null, Long.MIN_VALUE, Long.MAX_VALUE, 10)))
        .extracting(SpendRow::entryId).containsExactly("req-3@acct-2", "req-2@acct-1", "req-1@acct-1");
    assertThat(store.spendRows(new SpendFilter(null, null, null, Long.MIN_VALUE, Long.MAX_VALUE, 2))).hasSize(2);
    assertThat(store.spendRows(new SpendFilter("key-1", null, null, Long.MIN_VALUE, Long.MAX_VALUE, 10)))
        .extracting(SpendRow::entryId).containsExactly("req-2@acct-1", "req-1@acct-1");
    assertThat(store.spendRows(new SpendFilter(null, null, "req-1", Long.MIN_VALUE, Long.MAX_VALUE, 10)))
        .singleElement().isEqualTo(first);
    assertThat(store.spendRows(new SpendFilter(null, "team-a", null, Long.MIN_VALUE, Long.MAX_VALUE, 10)))
        .extracting(SpendRow::entryId).containsExactly("req-2@acct-1", "req-1@acct-1");
    assertThat(store.spendRows(new SpendFilter(null, null, null, 15_000, day, 10)))
        .extracting(SpendRow::entryId).containsExactly("req-2@acct-1");
    assertThat(store.spendByDay(new SpendFilter(null, null, null, Long.MIN_VALUE, Long.MAX_VALUE, 1))).containsExactly(
        new TenantStore.DaySpend(0, "key-1", "0123456789ab", "team-a", "claude-sonnet-4-5", 0.75, 4116, 100, 2),
        new TenantStore.DaySpend(1, "key-2", "fedcba987654", null, "claude-haiku-4-5", 0.125, 5, 5, 1));

    // what calls were made for: the row shows its end user and tags, and the reports group by each
    SpendRow tagged = new SpendRow("req-4@acct-1", "req-4", "key-3", "0a0a0a0a0a0a", null, null, "claude-haiku-4-5",
        "acct-1", "pinned", 200, 1, 0, 0, 1, 0.5, 3, 2 * day, "user-\"1\"", List.of("job:7", "env:prod"));
    store.appendSpend(List.of(tagged));
    store.appendSpend(List.of(tagged));
    assertThat(store.spendRows(new SpendFilter("key-3", null, null, Long.MIN_VALUE, Long.MAX_VALUE, 10)))
        .containsExactly(tagged);
    SpendFilter all = new SpendFilter(null, null, null, Long.MIN_VALUE, Long.MAX_VALUE, 10);
    assertThat(store.spendByTag(all)).containsExactly(new TenantStore.GroupSpend("env:prod", 1, 0.5),
        new TenantStore.GroupSpend("job:7", 1, 0.5));
    assertThat(store.spendByTag(new SpendFilter(null, null, null, Long.MIN_VALUE, 2 * day, 10))).isEmpty();
    assertThat(store.spendByEndUser(all)).containsExactly(new TenantStore.GroupSpend(null, 3, 0.875),
        new TenantStore.GroupSpend("user-\"1\"", 1, 0.5));
    assertThat(store.spendByEndUser(new SpendFilter(null, null, null, Long.MIN_VALUE, Long.MAX_VALUE, 1)))
        .hasSize(1);
    assertThat(store.spendByDayAndEndUser(all)).filteredOn(spend -> spend.day() == 2)
        .containsExactly(new TenantStore.DaySpend(2, "key-3", "0a0a0a0a0a0a", null, "claude-haiku-4-5", 0.5, 1, 1, 1,
            "user-\"1\""));
    assertThat(store.spendByDeployment(all)).containsExactly(new TenantStore.GroupSpend("acct-1", 3, 1.25),
        new TenantStore.GroupSpend("acct-2", 1, 0.125));
  }

  private static SpendRow row(String entry, double cost, long at) {
    return new SpendRow(entry, entry.substring(0, entry.indexOf('@')), "key-1", "0123456789ab", "team-a", "first",
        "claude-sonnet-4-5", "acct-1", "pinned", 200, 10, 2048, 0, 50, cost, 12, at);
  }
}
