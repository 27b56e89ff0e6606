package dev.affinity.router.tenancy;

import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.router.LogCapture;
import dev.affinity.router.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A team moving from LiteLLM: LiteLLM's tables and rows in the gateway's PostgreSQL database (a database of this
 * class's own), and a gateway started on it with no admin call. The keys users hold work with their limits, spend
 * and blocks; what Affinity already had is kept; a second start imports nothing again.
 */
class LiteLlmImportTest {

  private static final String MASTER = "sk-litellm-import-master";
  private static final String TEAM = "5b0c3a2e-team-engineering";

  // the keys users hold: LiteLLM keeps only their SHA-256
  private static final String PLAIN = "sk-plain" + suffix();
  private static final String HAIKU_ONLY = "sk-haiku" + suffix();
  private static final String BLOCKED = "sk-blocked" + suffix();
  private static final String EXPIRED = "sk-expired" + suffix();
  private static final String IN_TEAM = "sk-inteam" + suffix();
  private static final String OVER_BUDGET = "sk-over" + suffix();
  private static final String ALREADY = "sk-already" + suffix();
  private static final String REGENERATED = "sk-regen" + suffix();
  private static final String DELETED = "sk-deleted" + suffix();
  private static final List<String> KEYS = List.of(PLAIN, HAIKU_ONLY, BLOCKED, EXPIRED, IN_TEAM, OVER_BUDGET, ALREADY,
      REGENERATED, DELETED);

  private static TestDatabase database;
  private static Vertx vertx;
  private static UpstreamEmulator emulator;
  private static TestGateway gateway;
  private static LogCapture logs;
  private static String yaml;

  private static String suffix() {
    return UUID.randomUUID().toString().replace("-", "").substring(0, 20);
  }

  @BeforeAll
  static void start() throws Exception {
    database = TestDatabase.create();
    logs = LogCapture.install();
    try (Connection db = DriverManager.getConnection(database.url()); Statement sql = db.createStatement()) {
      liteLlmSchema(sql);
      LocalDateTime now = LocalDateTime.now(ZoneOffset.UTC);
      try (PreparedStatement team = db.prepareStatement("INSERT INTO \"LiteLLM_TeamTable\" (team_id, team_alias,"
          + " members_with_roles, max_budget, spend, models, tpm_limit, rpm_limit, budget_duration, budget_reset_at,"
          + " created_at, updated_at) VALUES (?, 'Engineering', '[{\"role\": \"admin\", \"user_id\": \"ana\"}]', 100,"
          + " 12.5, ARRAY['sonnet'], 100000, 1000, '30d', ?, ?, ?)")) {
        team.setString(1, TEAM);
        team.setObject(2, now.plusDays(10));
        team.setObject(3, now.minusDays(50));
        team.setObject(4, now);
        team.executeUpdate();
      }
      key(db, PLAIN, "plain", null, "{}", 10.0, 0.25, "1mo", null, false, "alice");
      key(db, HAIKU_ONLY, "haiku-only", null, "{haiku}", null, 0, null, null, null, null);
      key(db, BLOCKED, "blocked", null, "{}", null, 0, null, null, true, null);
      key(db, EXPIRED, "expired", null, "{}", null, 0, null, now.minusDays(1), false, null);
      key(db, IN_TEAM, "in-team", TEAM, "{all-team-models}", null, 3.0, null, now.plusDays(30), false, "bob");
      key(db, OVER_BUDGET, "over", null, "{all-proxy-models}", 1.0, 2.0, null, null, false, null);
      key(db, ALREADY, "litellm-alias", null, "{}", null, 0, null, null, false, null);
      key(db, REGENERATED, "to-regenerate", null, "{}", null, 0, null, null, false, null);
      key(db, DELETED, "to-delete", null, "{}", null, 0, null, null, false, null);
    }
    // a key Affinity already has under the same hash (changed through Affinity since): it must stay as it is
    try (JdbcTenantStore store = JdbcTenantStore.postgres(database.url())) {
      store.migrate();
      store.saveKey(new VirtualKey("affinity-own-id", KeyToken.hash(ALREADY), "sk-...eady", "kept-by-affinity", null,
          List.of(), Allowance.NONE, null, Map.of(), Map.of(), false, System.currentTimeMillis()));
    }
    vertx = Vertx.vertx();
    emulator = await(UpstreamEmulator.start(vertx, new EmulatorOptions().setLatency(LatencyModel.ZERO)
        .addAccount("a1", "sk-a1")));
    yaml = "general_settings: {master_key: " + MASTER + ", database_url: \"" + database.url() + "\"}\n"
        + TestGateway.modelList("sonnet", emulator.baseUrl(), List.of("a1"))
        + """
          - model_name: haiku
            litellm_params: {model: anthropic/claude-haiku-4-5, api_key: sk-a1, api_base: "%s"}
            model_info: {id: h1}
        """.formatted(emulator.baseUrl());
    gateway = TestGateway.start(yaml);
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    if (emulator != null) {
      await(emulator.close());
      await(vertx.close());
    }
    if (logs != null) {
      logs.close();
    }
    if (database != null) {
      database.close();
    }
  }

  /** LiteLLM's two tables as its Prisma migrations make them, with columns the import reads and some it ignores. */
  private static void liteLlmSchema(Statement sql) throws Exception {
    sql.execute("""
        CREATE TABLE "LiteLLM_TeamTable" (
          "team_id" TEXT NOT NULL,
          "team_alias" TEXT,
          "organization_id" TEXT,
          "admins" TEXT[],
          "members" TEXT[],
          "members_with_roles" JSONB NOT NULL DEFAULT '{}',
          "metadata" JSONB NOT NULL DEFAULT '{}',
          "max_budget" DOUBLE PRECISION,
          "spend" DOUBLE PRECISION NOT NULL DEFAULT 0.0,
          "models" TEXT[],
          "max_parallel_requests" INTEGER,
          "tpm_limit" BIGINT,
          "rpm_limit" BIGINT,
          "budget_duration" TEXT,
          "budget_reset_at" TIMESTAMP(3),
          "blocked" BOOLEAN NOT NULL DEFAULT false,
          "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
          "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
          "model_spend" JSONB NOT NULL DEFAULT '{}',
          "model_max_budget" JSONB NOT NULL DEFAULT '{}',
          CONSTRAINT "LiteLLM_TeamTable_pkey" PRIMARY KEY ("team_id"))""");
    sql.execute("""
        CREATE TABLE "LiteLLM_VerificationToken" (
          "token" TEXT NOT NULL,
          "key_name" TEXT,
          "key_alias" TEXT,
          "soft_budget_cooldown" BOOLEAN NOT NULL DEFAULT false,
          "spend" DOUBLE PRECISION NOT NULL DEFAULT 0.0,
          "expires" TIMESTAMP(3),
          "models" TEXT[],
          "aliases" JSONB NOT NULL DEFAULT '{}',
          "config" JSONB NOT NULL DEFAULT '{}',
          "user_id" TEXT,
          "team_id" TEXT,
          "permissions" JSONB NOT NULL DEFAULT '{}',
          "max_parallel_requests" INTEGER,
          "metadata" JSONB NOT NULL DEFAULT '{}',
          "blocked" BOOLEAN,
          "tpm_limit" BIGINT,
          "rpm_limit" BIGINT,
          "max_budget" DOUBLE PRECISION,
          "budget_duration" TEXT,
          "budget_reset_at" TIMESTAMP(3),
          "allowed_cache_controls" TEXT[] DEFAULT ARRAY[]::TEXT[],
          "model_spend" JSONB NOT NULL DEFAULT '{}',
          "model_max_budget" JSONB NOT NULL DEFAULT '{}',
          "budget_id" TEXT,
          "organization_id" TEXT,
          "created_at" TIMESTAMP(3) DEFAULT CURRENT_TIMESTAMP,
          "created_by" TEXT,
          "updated_at" TIMESTAMP(3) DEFAULT CURRENT_TIMESTAMP,
          "updated_by" TEXT,
          CONSTRAINT "LiteLLM_VerificationToken_pkey" PRIMARY KEY ("token"))""");
  }

  private static void key(Connection db, String key, String alias, String team, String models, Double maxBudget,
                          double spend, String budgetDuration, LocalDateTime expires, Boolean blocked, String user)
      throws Exception {
    try (PreparedStatement insert = db.prepareStatement("INSERT INTO \"LiteLLM_VerificationToken\" (token, key_name,"
        + " key_alias, team_id, models, max_budget, spend, budget_duration, expires, blocked, user_id, rpm_limit,"
        + " tpm_limit, max_parallel_requests, metadata, created_at) VALUES (?, ?, ?, ?, ?::text[], ?, ?, ?, ?, ?,"
        + " ?, 100, 50000, 5, '{\"owner\": \"ops\"}', ?)")) {
      insert.setString(1, KeyToken.hash(key));
      insert.setString(2, KeyToken.abbreviate(key));
      insert.setString(3, alias);
      insert.setString(4, team);
      insert.setString(5, models);
      insert.setObject(6, maxBudget);
      insert.setDouble(7, spend);
      insert.setString(8, budgetDuration);
      insert.setObject(9, expires);
      insert.setObject(10, blocked);
      insert.setString(11, user);
      insert.setObject(12, LocalDateTime.now(ZoneOffset.UTC).minusDays(3));
      insert.executeUpdate();
    }
  }

  private static HttpResponse<String> messages(String key, String model) throws Exception {
    return gateway.post("/v1/messages", KeyManagementTest.message(model, "hello"), "x-api-key", key,
        "anthropic-version", "2023-06-01");
  }

  private static HttpResponse<String> chat(String key, String model) throws Exception {
    return gateway.post("/v1/chat/completions", new JsonObject().put("model", model).put("max_tokens", 16)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hello"))).encode(),
        "authorization", "Bearer " + key, "content-type", "application/json");
  }

  private static JsonObject info(String key) throws Exception {
    HttpResponse<String> answer = gateway.get("/key/info?key=" + KeyToken.hash(key), "x-api-key", MASTER);
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    return new JsonObject(answer.body());
  }

  @Test
  void theKeysUsersHoldWorkWithNoAdminCall() throws Exception {
    HttpResponse<String> anthropic = messages(PLAIN, "sonnet");
    assertThat(anthropic.statusCode()).as(anthropic.body()).isEqualTo(200);
    HttpResponse<String> openAi = chat(PLAIN, "haiku");
    assertThat(openAi.statusCode()).as(openAi.body()).isEqualTo(200);
    // all-proxy-models: every model; this key is refused for its budget, not the model
    assertThat(messages(OVER_BUDGET, "haiku").statusCode()).isEqualTo(429);
  }

  @Test
  void aKeyLimitedToAModelIsRefusedAnother() throws Exception {
    assertThat(messages(HAIKU_ONLY, "haiku").statusCode()).isEqualTo(200);
    HttpResponse<String> other = messages(HAIKU_ONLY, "sonnet");
    assertThat(other.statusCode()).isEqualTo(403);
    assertThat(other.body()).contains("permission_error").contains("sonnet");
    assertThat(chat(HAIKU_ONLY, "sonnet").statusCode()).isEqualTo(403);
  }

  @Test
  void blockedAndExpiredKeysStayRefused() throws Exception {
    HttpResponse<String> blocked = messages(BLOCKED, "sonnet");
    assertThat(blocked.statusCode()).isEqualTo(401);
    assertThat(blocked.body()).contains("authentication_error").contains("blocked");
    HttpResponse<String> expired = chat(EXPIRED, "sonnet");
    assertThat(expired.statusCode()).isEqualTo(401);
    assertThat(expired.body()).contains("expired");
  }

  @Test
  void theSpendLiteLlmCountedCountsAgainstTheBudget() throws Exception {
    HttpResponse<String> over = messages(OVER_BUDGET, "sonnet");
    assertThat(over.statusCode()).isEqualTo(429);
    assertThat(over.body()).contains("billing_error").contains("max_budget");
    assertThat(info(OVER_BUDGET).getJsonObject("info").getDouble("spend")).isEqualTo(2.0);
    // the spend log shows where it came from: one row of LiteLLM's spend, not a call that failed
    HttpResponse<String> log = gateway.get("/spend/logs?api_key=" + KeyToken.hash(OVER_BUDGET), "x-api-key", MASTER);
    assertThat(log.statusCode()).as(log.body()).isEqualTo(200);
    assertThat(new JsonArray(log.body())).singleElement().satisfies(row -> {
      JsonObject opening = (JsonObject) row;
      assertThat(opening.getDouble("spend")).isEqualTo(2.0);
      assertThat(opening.getString("status")).isEqualTo("success");
      assertThat(opening.getJsonObject("metadata").getString("route")).isEqualTo("litellm-import");
    });
  }

  @Test
  void aTeamKeyTakesItsTeamsModelsAndTheTeamKeepsItsSpend() throws Exception {
    assertThat(messages(IN_TEAM, "sonnet").statusCode()).isEqualTo(200);
    HttpResponse<String> notTheTeams = messages(IN_TEAM, "haiku");
    assertThat(notTheTeams.statusCode()).isEqualTo(403);
    HttpResponse<String> team = gateway.get("/team/info?team_id=" + TEAM, "x-api-key", MASTER);
    assertThat(team.statusCode()).as(team.body()).isEqualTo(200);
    JsonObject teamInfo = new JsonObject(team.body()).getJsonObject("team_info");
    assertThat(teamInfo.getString("team_alias")).isEqualTo("Engineering");
    assertThat(teamInfo.getDouble("max_budget")).isEqualTo(100.0);
    assertThat(teamInfo.getString("budget_duration")).isEqualTo("30d");
    assertThat(teamInfo.getJsonArray("models")).containsExactly("sonnet");
    // the team's own spend; its key's 3.0 is part of it in LiteLLM, so is not added twice
    assertThat(teamInfo.getDouble("spend")).isGreaterThanOrEqualTo(12.5).isLessThan(13.0);
    assertThat(info(IN_TEAM).getJsonObject("info").getDouble("spend")).isGreaterThanOrEqualTo(3.0);
  }

  @Test
  void keyInfoShowsTheImportedKeyWithoutItsSecret() throws Exception {
    HttpResponse<String> answer = gateway.get("/key/info?key=" + PLAIN, "x-api-key", MASTER);
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.body()).doesNotContain(PLAIN);
    JsonObject info = new JsonObject(answer.body()).getJsonObject("info");
    assertThat(info.getString("key_alias")).isEqualTo("plain");
    assertThat(info.getString("key_name")).isEqualTo(KeyToken.abbreviate(PLAIN));
    assertThat(info.getDouble("spend")).isGreaterThanOrEqualTo(0.25);
    assertThat(info.getDouble("max_budget")).isEqualTo(10.0);
    assertThat(info.getString("budget_duration")).isEqualTo("1mo");
    assertThat(info.getLong("rpm_limit")).isEqualTo(100);
    assertThat(info.getLong("tpm_limit")).isEqualTo(50000);
    assertThat(info.getLong("max_parallel_requests")).isEqualTo(5);
    assertThat(info.getJsonObject("metadata").getString("owner")).isEqualTo("ops");
    assertThat(info.containsKey("key")).isFalse();
  }

  @Test
  void aKeyAffinityAlreadyHadIsNotOverwritten() throws Exception {
    JsonObject info = info(ALREADY).getJsonObject("info");
    assertThat(info.getString("key_alias")).isEqualTo("kept-by-affinity");
    assertThat(info.getString("token_id")).isEqualTo("affinity-own-id");
  }

  @Test
  void theLogSaysWhatWasImportedInCountsOnly() {
    String line = logs.lines().stream().filter(text -> text.contains("LiteLLM import:")).findFirst().orElseThrow();
    assertThat(line).contains("8 key(s) and 1 team(s) imported").contains("1 key(s) {already in Affinity=1}")
        .contains("keys.user_id=2").contains("teams.members_with_roles=1");
    for (String key : KEYS) {
      // request lines name a key by its hash prefix (key=); the import's line names none, and no log has a key
      assertThat(line).doesNotContain(KeyToken.hash(key).substring(0, 12));
      assertThat(logs.all()).doesNotContain(key);
    }
  }

  @Test
  void anotherStartImportsNothingAgain() throws Exception {
    long keys = count("SELECT COUNT(*) FROM affinity_keys");
    long teams = count("SELECT COUNT(*) FROM affinity_teams");
    long opening = count("SELECT COUNT(*) FROM affinity_spend WHERE route = 'litellm-import'");
    // every LiteLLM row (another test may add one) is in Affinity: imported, or the one Affinity had
    long liteLlmKeys = count("SELECT COUNT(*) FROM \"LiteLLM_VerificationToken\"");
    assertThat(keys).isEqualTo(liteLlmKeys);
    assertThat(teams).isEqualTo(1);
    // the team's 12.5 and four keys': 0.25, 3.0, 2.0 (keys with no spend have no row)
    assertThat(opening).isEqualTo(4);
    // what Affinity does with an imported key stands: a start must not bring back an old value or a deleted key
    HttpResponse<String> regenerated = gateway.post("/key/regenerate", new JsonObject().put("key", REGENERATED)
        .encode(), "x-api-key", MASTER);
    assertThat(regenerated.statusCode()).as(regenerated.body()).isEqualTo(200);
    String newValue = new JsonObject(regenerated.body()).getString("key");
    assertThat(gateway.post("/key/delete", new JsonObject().put("keys", new JsonArray().add(DELETED)).encode(),
        "x-api-key", MASTER).statusCode()).isEqualTo(200);
    keys--;
    try (JdbcTenantStore store = JdbcTenantStore.postgres(database.url())) {
      store.migrate();
      LiteLlmImport.Result again = store.importLiteLlm();
      assertThat(again.found()).isTrue();
      assertThat(again.keys()).isEmpty();
      assertThat(again.teams()).isEmpty();
      assertThat(again.skippedKeys()).containsExactly(Map.entry(LiteLlmImport.DONE_BEFORE, (int) liteLlmKeys));
      assertThat(again.skippedTeams()).containsExactly(Map.entry(LiteLlmImport.DONE_BEFORE, 1));
    }
    // a node of a new cluster on the same database: loads what the first imported, adds nothing
    try (TestGateway second = TestGateway.start(yaml)) {
      assertThat(second.post("/v1/messages", KeyManagementTest.message("sonnet", "hi"), "x-api-key", PLAIN,
          "anthropic-version", "2023-06-01").statusCode()).isEqualTo(200);
      assertThat(second.post("/v1/messages", KeyManagementTest.message("sonnet", "hi"), "x-api-key", REGENERATED,
          "anthropic-version", "2023-06-01").statusCode()).isEqualTo(401);
      assertThat(second.post("/v1/messages", KeyManagementTest.message("sonnet", "hi"), "x-api-key", DELETED,
          "anthropic-version", "2023-06-01").statusCode()).isEqualTo(401);
      assertThat(second.post("/v1/messages", KeyManagementTest.message("sonnet", "hi"), "x-api-key", newValue,
          "anthropic-version", "2023-06-01").statusCode()).isEqualTo(200);
      HttpResponse<String> over = second.get("/key/info?key=" + KeyToken.hash(OVER_BUDGET), "x-api-key", MASTER);
      assertThat(new JsonObject(over.body()).getJsonObject("info").getDouble("spend")).isEqualTo(2.0);
    }
    assertThat(count("SELECT COUNT(*) FROM affinity_keys")).isEqualTo(keys);
    assertThat(count("SELECT COUNT(*) FROM affinity_teams")).isEqualTo(teams);
    assertThat(count("SELECT COUNT(*) FROM affinity_spend WHERE route = 'litellm-import'")).isEqualTo(opening);
  }

  @Test
  void aNodeJoiningARunningClusterPublishesAKeyLiteLlmMadeSince() throws Exception {
    String cluster = "litellm-join-" + UUID.randomUUID();
    String late = "sk-late" + suffix();
    try (TestGateway first = TestGateway.start(yaml, cluster)) {
      try (Connection db = DriverManager.getConnection(database.url())) {
        key(db, late, "made-in-litellm-since", null, "{}", null, 0, null, null, false, null);
      }
      assertThat(infer(first, late)).isEqualTo(401);
      try (TestGateway second = TestGateway.start(yaml, cluster)) {
        assertThat(second.node().clusterMembers()).hasSize(2);
        // the first node imported nothing and loads nothing again: the key reached it through the cluster's maps
        assertThat(infer(first, late)).isEqualTo(200);
        assertThat(infer(second, late)).isEqualTo(200);
      }
    }
    assertThat(logs.all()).doesNotContain(late);
  }

  private static int infer(TestGateway node, String key) throws Exception {
    return node.post("/v1/messages", KeyManagementTest.message("sonnet", "hi"), "x-api-key", key,
        "anthropic-version", "2023-06-01").statusCode();
  }

  @Test
  void twoNodesImportingAtOnceAddEachKeyOnce() throws Exception {
    // a schema of its own in this class's database, found on the search path as Prisma's ?schema= would put it
    int keys = 60;
    try (Connection db = DriverManager.getConnection(database.url()); Statement sql = db.createStatement()) {
      sql.execute("CREATE SCHEMA race");
      sql.execute("SET search_path TO race");
      liteLlmSchema(sql);
      for (int i = 0; i < keys; i++) {
        key(db, "sk-race-" + i + suffix(), "race-" + i, null, "{}", 5.0, 0.5, null, null, false, null);
      }
    }
    String url = database.url() + "&currentSchema=race";
    try (JdbcTenantStore store = JdbcTenantStore.postgres(url)) {
      store.migrate();
    }
    java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(2);
    java.util.concurrent.Callable<LiteLlmImport.Result> node = () -> {
      try (JdbcTenantStore store = JdbcTenantStore.postgres(url)) {
        store.migrate();
        together.await(30, java.util.concurrent.TimeUnit.SECONDS);
        return store.importLiteLlm();
      }
    };
    java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      var first = threads.submit(node);
      var second = threads.submit(node);
      assertThat(first.get(60, java.util.concurrent.TimeUnit.SECONDS).keys().size()
          + second.get(60, java.util.concurrent.TimeUnit.SECONDS).keys().size()).isEqualTo(keys);
      assertThat(first.get().found()).isTrue();
    } finally {
      threads.shutdown();
    }
    assertThat(count("SELECT COUNT(*) FROM race.affinity_keys")).isEqualTo(keys);
    assertThat(count("SELECT COUNT(*) FROM race.affinity_spend")).isEqualTo(keys);
    assertThat(count("SELECT SUM(cost_usd) FROM race.affinity_spend")).isEqualTo(keys / 2);
    assertThat(count("SELECT COUNT(*) FROM public.affinity_keys WHERE key_alias LIKE 'race-%'")).isZero();
  }

  /**
   * LiteLLM's {@code DATABASE_URL} as it is, Prisma's {@code ?schema=} included: LiteLLM's tables in a schema of their
   * own are found, and Affinity's go beside them (the driver has no {@code schema} argument: without translating it,
   * both were looked for in {@code public}).
   */
  @Test
  void prismasSchemaArgumentIsTheSchemaUsed() throws Exception {
    try (TestDatabase fresh = TestDatabase.create()) {
      try (Connection db = DriverManager.getConnection(fresh.url()); Statement sql = db.createStatement()) {
        sql.execute("CREATE SCHEMA lite");
        sql.execute("SET search_path TO lite");
        liteLlmSchema(sql);
        key(db, "sk-in-schema" + suffix(), "in-schema", null, "{}", null, 0, null, null, false, null);
      }
      java.net.URI jdbc = java.net.URI.create(fresh.url().substring("jdbc:".length()));
      Map<String, String> query = new java.util.HashMap<>();
      for (String pair : jdbc.getQuery().split("&")) {
        query.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
      }
      String prisma = "postgresql://" + query.get("user")
          + (query.containsKey("password") ? ":" + query.get("password") : "") + "@" + jdbc.getHost() + ":"
          + jdbc.getPort() + jdbc.getPath() + "?schema=lite&connection_limit=3&connect_timeout=3";
      try (JdbcTenantStore store = JdbcTenantStore.postgres(prisma)) {
        store.migrate();
        LiteLlmImport.Result imported = store.importLiteLlm();
        assertThat(imported.found()).isTrue();
        assertThat(imported.keys()).extracting(VirtualKey::keyAlias).containsExactly("in-schema");
      }
      try (Connection db = DriverManager.getConnection(fresh.url()); Statement sql = db.createStatement();
           ResultSet tables = sql.executeQuery("SELECT table_schema FROM information_schema.tables"
               + " WHERE table_name = 'affinity_keys'")) {
        assertThat(tables.next()).isTrue();
        assertThat(tables.getString(1)).isEqualTo("lite");
        assertThat(tables.next()).isFalse();
      }
    }
  }

  /**
   * While LiteLLM runs beside Affinity on the same database ({@code litellm_sync_interval}): a key made in LiteLLM
   * since starts working, a key blocked or deleted there stops working here, and so do the keys of a team blocked
   * there; each revocation is followed once, so a key unblocked through Affinity afterwards stays unblocked.
   */
  @Test
  void keysMadeOrRevokedInLiteLlmSinceAreFollowed() throws Exception {
    String blockedThere = "sk-block-there" + suffix();
    String deletedThere = "sk-delete-there" + suffix();
    String madeSince = "sk-made-since" + suffix();
    String inTeam = "sk-in-blocked-team" + suffix();
    String teamId = "team-to-block-" + suffix();
    try (TestDatabase fresh = TestDatabase.create()) {
      try (Connection db = DriverManager.getConnection(fresh.url()); Statement sql = db.createStatement()) {
        liteLlmSchema(sql);
        key(db, blockedThere, "to-block", null, "{}", null, 0, null, null, false, null);
        key(db, deletedThere, "to-delete", null, "{}", null, 0, null, null, null, null);
        sql.executeUpdate("INSERT INTO \"LiteLLM_TeamTable\" (team_id, team_alias) VALUES ('" + teamId
            + "', 'to be blocked')");
        key(db, inTeam, "in-team-to-block", teamId, "{}", null, 0, null, null, false, null);
      }
      String synced = yaml.replace("database_url: \"" + database.url() + "\"",
          "database_url: \"" + fresh.url() + "\", litellm_sync_interval: 0.5");
      assertThat(synced).contains("litellm_sync_interval");
      try (TestGateway node = TestGateway.start(synced)) {
        assertThat(infer(node, blockedThere)).isEqualTo(200);
        assertThat(infer(node, deletedThere)).isEqualTo(200);
        assertThat(infer(node, madeSince)).isEqualTo(401);
        assertThat(infer(node, inTeam)).isEqualTo(200);

        try (Connection db = DriverManager.getConnection(fresh.url()); Statement sql = db.createStatement()) {
          sql.executeUpdate("UPDATE \"LiteLLM_TeamTable\" SET blocked = true WHERE team_id = '" + teamId + "'");
          sql.executeUpdate("UPDATE \"LiteLLM_VerificationToken\" SET blocked = true WHERE token = '"
              + KeyToken.hash(blockedThere) + "'");
          sql.executeUpdate("DELETE FROM \"LiteLLM_VerificationToken\" WHERE token = '" + KeyToken.hash(deletedThere)
              + "'");
          key(db, madeSince, "made-since", null, "{}", null, 0, null, null, false, null);
        }
        assertThat(TestGateway.eventually(() -> statusOf(node, madeSince), status -> status == 200)).isEqualTo(200);
        assertThat(TestGateway.eventually(() -> statusOf(node, blockedThere), status -> status == 401))
            .isEqualTo(401);
        assertThat(TestGateway.eventually(() -> statusOf(node, deletedThere), status -> status == 401))
            .isEqualTo(401);
        assertThat(TestGateway.eventually(() -> statusOf(node, inTeam), status -> status == 401))
            .as("its team blocked in LiteLLM").isEqualTo(401);
        String prefix = KeyToken.hash(blockedThere).substring(0, 12);
        assertThat(logs.lines()).anySatisfy(line -> assertThat(line).contains("affinity.audit")
            .contains("litellm-sync action=block key=" + prefix));
        assertThat(logs.lines()).anySatisfy(line -> assertThat(line).contains("affinity.audit")
            .contains("litellm-sync action=block team=" + teamId));

        HttpResponse<String> unblocked = node.post("/key/unblock", new JsonObject().put("key", blockedThere).encode(),
            "x-api-key", MASTER);
        assertThat(unblocked.statusCode()).as(unblocked.body()).isEqualTo(200);
        assertThat(infer(node, blockedThere)).isEqualTo(200);
        Thread.sleep(2_000); // four syncs: the revocation was followed once, not again
        assertThat(infer(node, blockedThere)).as("unblocked through Affinity stays unblocked").isEqualTo(200);
        assertThat(infer(node, madeSince)).isEqualTo(200);
      }
    }
    for (String key : List.of(blockedThere, deletedThere, madeSince, inTeam)) {
      assertThat(logs.all()).doesNotContain(key);
    }
  }

  @Test
  void theClustersOldestMemberSyncsAndTheNextTakesOverWhenItLeaves() throws Exception {
    String madeWhileTwo = "sk-made-while-two" + suffix();
    String madeAfter = "sk-made-after" + suffix();
    String cluster = "litellm-sync-" + UUID.randomUUID();
    try (TestDatabase fresh = TestDatabase.create()) {
      try (Connection db = DriverManager.getConnection(fresh.url()); Statement sql = db.createStatement()) {
        liteLlmSchema(sql);
      }
      String synced = yaml.replace("database_url: \"" + database.url() + "\"",
          "database_url: \"" + fresh.url() + "\", litellm_sync_interval: 0.3");
      TestGateway oldest = TestGateway.start(synced, cluster);
      boolean oldestClosed = false;
      try (TestGateway younger = TestGateway.start(synced, cluster)) {
        assertThat(younger.node().clusterMembers()).hasSize(2);
        try (Connection db = DriverManager.getConnection(fresh.url())) {
          key(db, madeWhileTwo, "made-while-two", null, "{}", null, 0, null, null, false, null);
        }
        // found by the oldest, served by both through the cluster's maps
        assertThat(TestGateway.eventually(() -> statusOf(younger, madeWhileTwo), status -> status == 200))
            .isEqualTo(200);
        long before = oldest.node().tenancy().liteLlmSyncs();
        Thread.sleep(1_000);
        assertThat(oldest.node().tenancy().liteLlmSyncs()).as("about three a second").isGreaterThan(before);
        assertThat(younger.node().tenancy().liteLlmSyncs()).as("LiteLLM's tables read once per interval").isZero();

        oldest.close();
        oldestClosed = true;
        try (Connection db = DriverManager.getConnection(fresh.url())) {
          key(db, madeAfter, "made-after", null, "{}", null, 0, null, null, false, null);
        }
        assertThat(TestGateway.eventually(() -> statusOf(younger, madeAfter), status -> status == 200))
            .isEqualTo(200);
        assertThat(younger.node().tenancy().liteLlmSyncs()).isPositive();
      } finally {
        if (!oldestClosed) {
          oldest.close();
        }
      }
    }
  }

  private static int statusOf(TestGateway node, String key) {
    try {
      return infer(node, key);
    } catch (Exception failed) {
      throw new IllegalStateException(failed);
    }
  }

  private static long count(String query) throws Exception {
    try (Connection db = DriverManager.getConnection(database.url()); Statement sql = db.createStatement();
         ResultSet rows = sql.executeQuery(query)) {
      rows.next();
      return rows.getLong(1);
    }
  }
}
