package dev.affinity.router.tenancy;

import dev.affinity.model.Attribution;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Function;

/**
 * {@link TenantStore} over JDBC: PostgreSQL when {@code database_url} is set, else an embedded H2 database file
 * (in PostgreSQL mode, so both run the same SQL). One connection, used by one worker at a time; reopened after a
 * failure. Keys and teams are kept as their JSON (see {@link TenantJson}) beside the columns they are looked up by.
 */
public final class JdbcTenantStore implements TenantStore {

  private static final String INSERT_KEY = "INSERT INTO affinity_keys (key_id, token_hash, team_id, key_alias, doc,"
      + " created_at) VALUES (?, ?, ?, ?, ?, ?)";
  private static final String INSERT_TEAM = "INSERT INTO affinity_teams (team_id, doc, created_at) VALUES (?, ?, ?)";

  /**
   * The schema, version by version: a database is brought up to the last one, each version in one transaction.
   * Append new versions; never edit one that has shipped.
   */
  static final List<String> MIGRATIONS = List.of(
      """
      CREATE TABLE affinity_teams (
        team_id VARCHAR(256) PRIMARY KEY,
        doc VARCHAR NOT NULL,
        created_at BIGINT NOT NULL);
      CREATE TABLE affinity_keys (
        key_id VARCHAR(64) PRIMARY KEY,
        token_hash VARCHAR(64) NOT NULL UNIQUE,
        team_id VARCHAR(256),
        key_alias VARCHAR(256),
        doc VARCHAR NOT NULL,
        created_at BIGINT NOT NULL);
      CREATE TABLE affinity_spend (
        entry_id VARCHAR(512) PRIMARY KEY,
        request_id VARCHAR(256) NOT NULL,
        key_id VARCHAR(64) NOT NULL,
        key_hash_prefix VARCHAR(16) NOT NULL,
        team_id VARCHAR(256),
        key_alias VARCHAR(256),
        model VARCHAR(256),
        deployment VARCHAR(256),
        route VARCHAR(32),
        status INT NOT NULL,
        input_tokens BIGINT NOT NULL,
        cache_write_tokens BIGINT NOT NULL,
        cache_read_tokens BIGINT NOT NULL,
        output_tokens BIGINT NOT NULL,
        cost_usd DOUBLE PRECISION NOT NULL,
        latency_ms BIGINT NOT NULL,
        created_at BIGINT NOT NULL);
      CREATE INDEX affinity_spend_key ON affinity_spend (key_id, created_at);
      CREATE INDEX affinity_spend_team ON affinity_spend (team_id, created_at)
      """,
      // LiteLLM's rows the import has dealt with (kind 'key' with the key's hash, or 'team' with its id): each is
      // taken once, so a key regenerated or deleted through Affinity is not brought back by the next start
      """
      CREATE TABLE affinity_litellm_import (
        kind VARCHAR(8) NOT NULL,
        litellm_id VARCHAR(256) NOT NULL,
        imported_at BIGINT NOT NULL,
        PRIMARY KEY (kind, litellm_id))
      """,
      // the spend reports (/spend/logs, /global/spend/report) read by request and by time across keys
      """
      CREATE INDEX affinity_spend_request ON affinity_spend (request_id);
      CREATE INDEX affinity_spend_time ON affinity_spend (created_at)
      """,
      // when a key or team imported from LiteLLM was found revoked there (deleted or blocked), and blocked here: once;
      // and whether the import added the row here (a team Affinity had of its own is never blocked for LiteLLM's)
      """
      ALTER TABLE affinity_litellm_import ADD COLUMN revoked_at BIGINT;
      ALTER TABLE affinity_litellm_import ADD COLUMN added BOOLEAN
      """,
      // what a call was made for (LiteLLM's end_user and request_tags): the tags as the row shows them, and one row
      // per tag for the reports that group by tag
      """
      ALTER TABLE affinity_spend ADD COLUMN end_user VARCHAR(256);
      ALTER TABLE affinity_spend ADD COLUMN request_tags VARCHAR;
      CREATE TABLE affinity_spend_tag (
        entry_id VARCHAR(512) NOT NULL,
        tag VARCHAR(256) NOT NULL,
        PRIMARY KEY (entry_id, tag));
      CREATE INDEX affinity_spend_tag_tag ON affinity_spend_tag (tag)
      """);

  private final String url;
  private final Properties credentials;
  private final String description;
  private Connection connection;

  private JdbcTenantStore(String url, Properties credentials, String description) {
    this.url = url;
    this.credentials = credentials;
    this.description = description;
  }

  /**
   * PostgreSQL at {@code databaseUrl}: LiteLLM's form, Prisma's URL
   * ({@code postgresql://user:password@host:port/db?...}, also {@code postgres://}, its arguments kept in their
   * meaning: {@link DatabaseUrl}) or a JDBC URL ({@code jdbc:postgresql://...}).
   */
  public static JdbcTenantStore postgres(String databaseUrl) {
    DatabaseUrl parsed = DatabaseUrl.parse(databaseUrl);
    return new JdbcTenantStore(parsed.jdbc(), parsed.credentials(), parsed.description());
  }

  /** The embedded single-node store: an H2 database file {@code affinity.mv.db} in {@code dataDir}. */
  public static JdbcTenantStore embedded(Path dataDir) {
    String file = dataDir.toAbsolutePath().resolve("affinity").toString();
    return new JdbcTenantStore("jdbc:h2:file:" + file + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE",
        new Properties(), "embedded store " + file + ".mv.db");
  }

  /** An embedded store in memory, gone when the JVM ends: for nodes started without a data directory (tests). */
  public static JdbcTenantStore inMemory(String name) {
    return new JdbcTenantStore("jdbc:h2:mem:" + URLEncoder.encode(name, StandardCharsets.UTF_8)
        + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1", new Properties(), "in-memory store " + name);
  }

  /** The PostgreSQL advisory lock nodes migrating the same database take in turn ("Affinity" in ASCII). */
  private static final long MIGRATION_LOCK = 0x416666696e697479L;

  @Override
  public synchronized void migrate() {
    run(db -> {
      // PostgreSQL's CREATE TABLE IF NOT EXISTS is not safe against itself: of two nodes starting together on a new
      // database, one failed on pg_type's unique index. They migrate one at a time instead
      boolean shared = onPostgres();
      if (shared) {
        advisoryLock(db, "pg_advisory_lock");
      }
      try {
        migrateOn(db);
      } catch (SQLException failed) {
        db.rollback();
        throw failed;
      } finally {
        if (shared) {
          advisoryLock(db, "pg_advisory_unlock");
        }
      }
      return null;
    });
  }

  /** Whether this store is PostgreSQL (shared by the nodes, and where LiteLLM's tables can be), not embedded H2. */
  private boolean onPostgres() {
    return url.startsWith("jdbc:postgresql:");
  }

  private static void advisoryLock(Connection db, String function) throws SQLException {
    try (Statement statement = db.createStatement()) {
      statement.execute("SELECT " + function + "(" + MIGRATION_LOCK + ")");
    }
    db.commit();
  }

  private static void migrateOn(Connection db) throws SQLException {
    try (Statement statement = db.createStatement()) {
      statement.execute("CREATE TABLE IF NOT EXISTS affinity_schema (version INT PRIMARY KEY, applied_at BIGINT"
          + " NOT NULL)");
    }
    db.commit();
    int current;
    try (Statement statement = db.createStatement();
         ResultSet rows = statement.executeQuery("SELECT COALESCE(MAX(version), 0) FROM affinity_schema")) {
      rows.next();
      current = rows.getInt(1);
    }
    for (int version = current + 1; version <= MIGRATIONS.size(); version++) {
      try (Statement statement = db.createStatement()) {
        for (String sql : MIGRATIONS.get(version - 1).split(";")) {
          if (!sql.isBlank()) {
            statement.execute(sql);
          }
        }
        // two nodes migrating at once: the second one's insert fails and its transaction rolls back
        statement.execute("INSERT INTO affinity_schema (version, applied_at) VALUES (" + version + ", "
            + System.currentTimeMillis() + ")");
        db.commit();
      } catch (SQLException raced) {
        db.rollback();
        if (schemaVersion(db) < version) {
          throw raced;
        }
      }
    }
  }

  private static int schemaVersion(Connection db) throws SQLException {
    try (Statement statement = db.createStatement();
         ResultSet rows = statement.executeQuery("SELECT COALESCE(MAX(version), 0) FROM affinity_schema")) {
      rows.next();
      return rows.getInt(1);
    }
  }

  @Override
  public synchronized List<VirtualKey> keys() {
    return query("SELECT doc FROM affinity_keys ORDER BY created_at, key_id",
        doc -> TenantJson.readKey(new JsonObject(doc)));
  }

  @Override
  public synchronized List<Team> teams() {
    return query("SELECT doc FROM affinity_teams ORDER BY created_at, team_id",
        doc -> TenantJson.readTeam(new JsonObject(doc)));
  }

  @Override
  public synchronized void saveKey(VirtualKey key) {
    update(db -> replaceKey(db, key));
  }

  /** Inserts or replaces the key with this id, in the caller's transaction. */
  static void replaceKey(Connection db, VirtualKey key) throws SQLException {
    replace(db, "DELETE FROM affinity_keys WHERE key_id = ?", key.id(), INSERT_KEY, insert -> bindKey(insert, key));
  }

  private interface Binding {
    PreparedStatement bind(PreparedStatement insert) throws SQLException;
  }

  /** Deletes the row {@code delete} names by {@code id}, then inserts the one {@code binding} binds. */
  private static void replace(Connection db, String delete, String id, String insert, Binding binding)
      throws SQLException {
    try (PreparedStatement deleting = db.prepareStatement(delete);
         PreparedStatement inserting = db.prepareStatement(insert)) {
      deleting.setString(1, id);
      deleting.executeUpdate();
      binding.bind(inserting).executeUpdate();
    }
  }

  /** Records that the import added the row it recorded ({@link #recordImportIfFirst}), in the caller's transaction. */
  static void recordAdded(Connection db, String kind, String liteLlmId) throws SQLException {
    try (PreparedStatement update = db.prepareStatement("UPDATE affinity_litellm_import SET added = TRUE WHERE"
        + " kind = ? AND litellm_id = ?")) {
      update.setString(1, kind);
      update.setString(2, liteLlmId);
      update.executeUpdate();
    }
  }

  /** Inserts or replaces the team with this id, in the caller's transaction. */
  static void replaceTeam(Connection db, Team team) throws SQLException {
    replace(db, "DELETE FROM affinity_teams WHERE team_id = ?", team.teamId(), INSERT_TEAM,
        insert -> bindTeam(insert, team));
  }

  /** The team with this id, in the caller's transaction, or null. */
  static Team teamOf(Connection db, String teamId) throws SQLException {
    try (PreparedStatement select = db.prepareStatement("SELECT doc FROM affinity_teams WHERE team_id = ?")) {
      select.setString(1, teamId);
      try (ResultSet rows = select.executeQuery()) {
        return rows.next() ? TenantJson.readTeam(new JsonObject(rows.getString(1))) : null;
      }
    }
  }

  /** The key with this id and hash, in the caller's transaction, or null. */
  static VirtualKey keyOf(Connection db, String keyId, String tokenHash) throws SQLException {
    try (PreparedStatement select = db.prepareStatement("SELECT doc FROM affinity_keys WHERE key_id = ? AND"
        + " token_hash = ?")) {
      select.setString(1, keyId);
      select.setString(2, tokenHash);
      try (ResultSet rows = select.executeQuery()) {
        return rows.next() ? TenantJson.readKey(new JsonObject(rows.getString(1))) : null;
      }
    }
  }

  @Override
  public synchronized void deleteKey(String keyId) {
    update(db -> {
      try (PreparedStatement delete = db.prepareStatement("DELETE FROM affinity_keys WHERE key_id = ?")) {
        delete.setString(1, keyId);
        delete.executeUpdate();
      }
    });
  }

  @Override
  public synchronized void saveTeam(Team team) {
    update(db -> replaceTeam(db, team));
  }

  @Override
  public synchronized void deleteTeam(String teamId) {
    update(db -> {
      try (PreparedStatement keys = db.prepareStatement("DELETE FROM affinity_keys WHERE team_id = ?");
           PreparedStatement team = db.prepareStatement("DELETE FROM affinity_teams WHERE team_id = ?")) {
        keys.setString(1, teamId);
        keys.executeUpdate();
        team.setString(1, teamId);
        team.executeUpdate();
      }
    });
  }

  @Override
  public synchronized void appendSpend(List<SpendRow> rows) {
    if (rows.isEmpty()) {
      return;
    }
    update(db -> insertSpend(db, rows));
  }

  /** Rows into {@code affinity_spend}, in the caller's transaction; an entry id already there is skipped. */
  static void insertSpend(Connection db, List<SpendRow> rows) throws SQLException {
    try (PreparedStatement insert = db.prepareStatement("INSERT INTO affinity_spend (entry_id, request_id, key_id,"
        + " key_hash_prefix, team_id, key_alias, model, deployment, route, status, input_tokens, cache_write_tokens,"
        + " cache_read_tokens, output_tokens, cost_usd, latency_ms, created_at, end_user, request_tags)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
         PreparedStatement tag = db.prepareStatement("INSERT INTO affinity_spend_tag (entry_id, tag) VALUES (?, ?)"
             + " ON CONFLICT DO NOTHING")) {
      boolean tagged = false;
      for (SpendRow row : rows) {
        int i = 0;
        insert.setString(++i, row.entryId());
        insert.setString(++i, row.requestId());
        insert.setString(++i, row.keyId());
        insert.setString(++i, row.keyHashPrefix());
        insert.setString(++i, row.teamId());
        insert.setString(++i, row.keyAlias());
        insert.setString(++i, row.model());
        insert.setString(++i, row.deployment());
        insert.setString(++i, row.route());
        insert.setInt(++i, row.status());
        insert.setLong(++i, row.inputTokens());
        insert.setLong(++i, row.cacheWriteTokens());
        insert.setLong(++i, row.cacheReadTokens());
        insert.setLong(++i, row.outputTokens());
        insert.setDouble(++i, row.costUsd());
        insert.setLong(++i, row.latencyMillis());
        insert.setLong(++i, row.createdAt());
        insert.setString(++i, row.endUser());
        insert.setString(++i, row.requestTags().isEmpty() ? null : new JsonArray(row.requestTags()).encode());
        insert.addBatch();
        for (String name : row.requestTags()) {
          tag.setString(1, row.entryId());
          tag.setString(2, name);
          tag.addBatch();
          tagged = true;
        }
      }
      insert.executeBatch();
      if (tagged) {
        tag.executeBatch();
      }
    }
  }

  /**
   * Inserts the key unless one with its id or hash is there, in the caller's transaction.
   *
   * @return whether it was inserted
   */
  static boolean insertKeyIfAbsent(Connection db, VirtualKey key) throws SQLException {
    try (PreparedStatement insert = db.prepareStatement(INSERT_KEY + " ON CONFLICT DO NOTHING")) {
      return bindKey(insert, key).executeUpdate() == 1;
    }
  }

  /**
   * Records that the import dealt with this LiteLLM row, unless it did before, in the caller's transaction.
   *
   * @return whether this is the first time (another node importing at once waits here for the first to commit)
   */
  static boolean recordImportIfFirst(Connection db, String kind, String liteLlmId, long now) throws SQLException {
    try (PreparedStatement insert = db.prepareStatement("INSERT INTO affinity_litellm_import (kind, litellm_id,"
        + " imported_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
      insert.setString(1, kind);
      insert.setString(2, liteLlmId);
      insert.setLong(3, now);
      return insert.executeUpdate() == 1;
    }
  }

  /** Inserts the team unless one with its id is there, in the caller's transaction; whether it was inserted. */
  static boolean insertTeamIfAbsent(Connection db, Team team) throws SQLException {
    try (PreparedStatement insert = db.prepareStatement(INSERT_TEAM + " ON CONFLICT DO NOTHING")) {
      return bindTeam(insert, team).executeUpdate() == 1;
    }
  }

  private static PreparedStatement bindKey(PreparedStatement insert, VirtualKey key) throws SQLException {
    insert.setString(1, key.id());
    insert.setString(2, key.tokenHash());
    insert.setString(3, key.teamId());
    insert.setString(4, key.keyAlias());
    insert.setString(5, TenantJson.key(key).encode());
    insert.setLong(6, key.createdAt());
    return insert;
  }

  private static PreparedStatement bindTeam(PreparedStatement insert, Team team) throws SQLException {
    insert.setString(1, team.teamId());
    insert.setString(2, TenantJson.team(team).encode());
    insert.setLong(3, team.createdAt());
    return insert;
  }

  /**
   * Imports LiteLLM's keys and teams from the same PostgreSQL database ({@link LiteLlmImport}), in one transaction.
   * The embedded store cannot hold LiteLLM's tables: nothing to do there.
   */
  @Override
  public synchronized LiteLlmImport.Result importLiteLlm() {
    if (!onPostgres()) {
      return LiteLlmImport.Result.NONE;
    }
    return run(db -> {
      LiteLlmImport.Result result = LiteLlmImport.run(db, System.currentTimeMillis());
      db.commit();
      return result;
    });
  }

  @Override
  public synchronized double spendSince(boolean team, String id, long sinceMillis) {
    return run(db -> {
      try (PreparedStatement sum = db.prepareStatement("SELECT COALESCE(SUM(cost_usd), 0) FROM affinity_spend WHERE "
          + (team ? "team_id" : "key_id") + " = ? AND created_at >= ?")) {
        sum.setString(1, id);
        sum.setLong(2, sinceMillis);
        try (ResultSet rows = sum.executeQuery()) {
          rows.next();
          double spent = rows.getDouble(1);
          db.commit();
          return spent;
        }
      }
    });
  }

  @Override
  public synchronized long spendRows() {
    return run(db -> {
      try (Statement statement = db.createStatement();
           ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM affinity_spend")) {
        rows.next();
        long count = rows.getLong(1);
        db.commit();
        return count;
      }
    });
  }

  @Override
  public synchronized List<SpendRow> spendRows(SpendFilter filter) {
    return spend("SELECT entry_id, request_id, key_id, key_hash_prefix, team_id, key_alias, model, deployment, route,"
        + " status, input_tokens, cache_write_tokens, cache_read_tokens, output_tokens, cost_usd, latency_ms,"
        + " created_at, end_user, request_tags", filter,
        " ORDER BY created_at DESC, entry_id LIMIT " + filter.limit(), rows -> {
          int i = 0;
          return new SpendRow(rows.getString(++i), rows.getString(++i), rows.getString(++i), rows.getString(++i),
              rows.getString(++i), rows.getString(++i), rows.getString(++i), rows.getString(++i),
              rows.getString(++i), rows.getInt(++i), rows.getLong(++i), rows.getLong(++i), rows.getLong(++i),
              rows.getLong(++i), rows.getDouble(++i), rows.getLong(++i), rows.getLong(++i), rows.getString(++i),
              tags(rows.getString(++i)));
        });
  }

  /**
   * The tags a row shows, from their JSON array: none when the column is empty or not one, and only what a row may
   * hold ({@link Attribution}) of what it holds, so a hand-edited row cannot fail a report.
   */
  private static List<String> tags(String column) {
    if (column == null) {
      return List.of();
    }
    try {
      List<String> names = new ArrayList<>();
      for (Object tag : new JsonArray(column)) {
        if (tag instanceof String name) {
          names.add(name);
        }
      }
      return Attribution.NONE.withTags(names).tags();
    } catch (RuntimeException unreadable) {
      return List.of();
    }
  }

  @Override
  public synchronized List<DaySpend> spendByDay(SpendFilter filter) {
    return spendByDay(filter, false);
  }

  @Override
  public synchronized List<DaySpend> spendByDayAndEndUser(SpendFilter filter) {
    return spendByDay(filter, true);
  }

  private List<DaySpend> spendByDay(SpendFilter filter, boolean perEndUser) {
    String day = "(created_at / " + DAY_MILLIS + ")"; // both BIGINT: integer division
    String groups = "key_id, team_id, model" + (perEndUser ? ", end_user" : "");
    return spend("SELECT " + day + " AS spend_day, key_id, MIN(key_hash_prefix), team_id, model, SUM(cost_usd),"
        + " SUM(input_tokens + cache_write_tokens + cache_read_tokens), SUM(output_tokens), COUNT(*)"
        + (perEndUser ? ", end_user" : ""), filter, " GROUP BY " + day + ", " + groups + " ORDER BY spend_day, "
        + groups, rows -> {
          int i = 0;
          return new DaySpend(rows.getLong(++i), rows.getString(++i), rows.getString(++i), rows.getString(++i),
              rows.getString(++i), rows.getDouble(++i), rows.getLong(++i), rows.getLong(++i), rows.getLong(++i),
              perEndUser ? rows.getString(++i) : null);
        });
  }

  @Override
  public synchronized List<GroupSpend> spendByTag(SpendFilter filter) {
    return spendBy("affinity_spend_tag.tag", "affinity_spend JOIN affinity_spend_tag"
        + " ON affinity_spend_tag.entry_id = affinity_spend.entry_id", filter);
  }

  @Override
  public synchronized List<GroupSpend> spendByEndUser(SpendFilter filter) {
    return spendBy("end_user", "affinity_spend", filter);
  }

  @Override
  public synchronized List<GroupSpend> spendByDeployment(SpendFilter filter) {
    return spendBy("deployment", "affinity_spend", filter);
  }

  /** Calls and USD per value of {@code column} of the rows {@code filter} selects, the costliest first. */
  private List<GroupSpend> spendBy(String column, String from, SpendFilter filter) {
    return spend("SELECT " + column + ", COUNT(*), SUM(cost_usd)", from, filter, " GROUP BY " + column
        + " ORDER BY SUM(cost_usd) DESC, " + column + " LIMIT " + filter.limit(),
        rows -> new GroupSpend(rows.getString(1), rows.getLong(2), rows.getDouble(3)));
  }

  private interface RowReader<T> {
    T read(ResultSet row) throws SQLException;
  }

  /** {@code select} over the spend rows {@code filter} selects, then {@code rest}; each row read by {@code reader}. */
  private <T> List<T> spend(String select, SpendFilter filter, String rest, RowReader<T> reader) {
    return spend(select, "affinity_spend", filter, rest, reader);
  }

  /** The same, the rows read {@code from} the spend log joined as it says. */
  private <T> List<T> spend(String select, String from, SpendFilter filter, String rest, RowReader<T> reader) {
    return run(db -> {
      List<Object> values = new ArrayList<>();
      String sql = select + " FROM " + from + where(filter, values) + rest;
      List<T> found = new ArrayList<>();
      try (PreparedStatement statement = bound(db, sql, values); ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          found.add(reader.read(rows));
        }
      }
      db.commit();
      return found;
    });
  }

  private static final long DAY_MILLIS = 86_400_000L;

  /** The filter's conditions as a WHERE clause, their values appended to {@code values} in order. */
  private static String where(SpendFilter filter, List<Object> values) {
    List<String> conditions = new ArrayList<>();
    if (filter.keyId() != null) {
      conditions.add("key_id = ?");
      values.add(filter.keyId());
    }
    if (filter.teamId() != null) {
      conditions.add("team_id = ?");
      values.add(filter.teamId());
    }
    if (filter.requestId() != null) {
      conditions.add("request_id = ?");
      values.add(filter.requestId());
    }
    if (filter.fromMillis() != Long.MIN_VALUE) {
      conditions.add("created_at >= ?");
      values.add(filter.fromMillis());
    }
    if (filter.beforeMillis() != Long.MAX_VALUE) {
      conditions.add("created_at < ?");
      values.add(filter.beforeMillis());
    }
    return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
  }

  private static PreparedStatement bound(Connection db, String sql, List<Object> values) throws SQLException {
    PreparedStatement statement = db.prepareStatement(sql);
    for (int i = 0; i < values.size(); i++) {
      statement.setObject(i + 1, values.get(i));
    }
    return statement;
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public synchronized void close() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // closing: nothing more to do with it
      }
      connection = null;
    }
  }

  private interface Work<T> {
    T on(Connection db) throws SQLException;
  }

  private interface Change {
    void on(Connection db) throws SQLException;
  }

  private <T> List<T> query(String sql, Function<String, T> read) {
    return run(db -> {
      List<T> found = new ArrayList<>();
      try (Statement statement = db.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
        while (rows.next()) {
          found.add(read.apply(rows.getString(1)));
        }
      }
      db.commit();
      return found;
    });
  }

  private void update(Change change) {
    run(db -> {
      change.on(db);
      db.commit();
      return null;
    });
  }

  /** Runs in a transaction of its own; a failed connection is dropped and the next call opens a new one. */
  private <T> T run(Work<T> work) {
    try {
      return work.on(connection());
    } catch (SQLException failed) {
      if (connection != null) {
        try {
          connection.rollback();
        } catch (SQLException alsoFailed) {
          close();
        }
      }
      throw new TenantStoreException(description + ": " + failed.getMessage(), failed);
    }
  }

  private Connection connection() throws SQLException {
    if (connection == null || connection.isClosed()) {
      connection = DriverManager.getConnection(url, credentials);
      connection.setAutoCommit(false);
    }
    return connection;
  }

  /** The store could not do what was asked: the database is unreachable or refused it. */
  public static final class TenantStoreException extends RuntimeException {
    TenantStoreException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
