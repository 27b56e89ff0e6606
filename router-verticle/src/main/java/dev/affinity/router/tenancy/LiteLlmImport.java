package dev.affinity.router.tenancy;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * LiteLLM's virtual keys and teams, read from its own tables ({@value #KEYS_TABLE}, {@value #TEAMS_TABLE}) in the
 * database Affinity shares with it, and added to Affinity's, so the keys users hold keep working: LiteLLM keeps the
 * same SHA-256 of each key. Each row is taken once ({@code affinity_litellm_import}): what Affinity has done with it
 * since (changed, regenerated, deleted) stands; and what Affinity already had (a key by hash, a team by id) is left
 * as it is. LiteLLM's tables are only read. Columns are read by name, whichever a LiteLLM version has.
 */
public final class LiteLlmImport {

  static final String KEYS_TABLE = "LiteLLM_VerificationToken";
  static final String TEAMS_TABLE = "LiteLLM_TeamTable";
  /** The {@code route} of the spend rows that carry what LiteLLM had counted. */
  static final String ROUTE = "litellm-import";
  /** LiteLLM's model names for "every model" (the proxy's, the team's): Affinity's empty list. */
  private static final Set<String> EVERY_MODEL = Set.of("all-proxy-models", "all-team-models");
  /** LiteLLM columns Affinity has no field for: rows that set them are counted, by column, never shown. */
  private static final List<String> KEY_ONLY_IN_LITELLM = List.of("user_id", "organization_id", "budget_id",
      "aliases", "config", "permissions", "model_max_budget", "allowed_cache_controls", "allowed_routes",
      "object_permission_id");
  private static final List<String> TEAM_ONLY_IN_LITELLM = List.of("organization_id", "admins", "members",
      "members_with_roles", "model_max_budget", "model_id", "team_member_permissions", "object_permission_id");
  /** A row an earlier import dealt with: it may have been changed, regenerated or deleted through Affinity since. */
  static final String DONE_BEFORE = "done by an earlier import";
  private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");
  /** Affinity's columns for these are VARCHAR(256). */
  private static final int MAX_ID = 256;

  private LiteLlmImport() {
  }

  /**
   * What an import did: the keys and teams it added (to publish to a running cluster), and counts for the log.
   *
   * @param found         whether LiteLLM's tables are in the database (else nothing to log)
   * @param skippedKeys   reason to how many keys were left out
   * @param notImported   "keys.COLUMN" / "teams.COLUMN" to how many imported rows set a column Affinity lacks
   */
  public record Result(boolean found, List<Team> teams, List<VirtualKey> keys, Map<String, Integer> skippedKeys,
                       Map<String, Integer> skippedTeams, Map<String, Integer> notImported, List<VirtualKey> revoked,
                       List<Team> revokedTeams) {

    public static final Result NONE = new Result(false, List.of(), List.of(), Map.of(), Map.of(), Map.of(),
        List.of(), List.of());

    /** One line for the log: counts and column names only, never a key, a hash or a value. */
    public String summary() {
      return "LiteLLM import: " + keys.size() + " key(s) and " + teams.size() + " team(s) imported from "
          + KEYS_TABLE + " and " + TEAMS_TABLE + "; skipped " + total(skippedKeys) + " key(s)" + reasons(skippedKeys)
          + " and " + total(skippedTeams) + " team(s)" + reasons(skippedTeams)
          + (notImported.isEmpty() ? "" : "; not imported, no Affinity field (rows per column): " + notImported)
          + (revoked.isEmpty() && revokedTeams.isEmpty() ? "" : "; blocked, revoked in LiteLLM: " + revoked.size()
              + " imported key(s) and " + revokedTeams.size() + " team(s)");
    }

    /** Whether the import added or blocked anything: what a periodic sync logs. */
    public boolean changed() {
      return !teams.isEmpty() || !keys.isEmpty() || !revoked.isEmpty() || !revokedTeams.isEmpty();
    }

    private static int total(Map<String, Integer> counts) {
      return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    private static String reasons(Map<String, Integer> counts) {
      return counts.isEmpty() ? "" : " " + counts;
    }
  }

  /** A key or team as mapped from its row, with the spend LiteLLM counted and the columns left behind. */
  record Mapped<T>(T value, double spend, long spendAt, List<String> notImported) {
  }

  /**
   * Imports, in the caller's transaction (committed by the caller). Rows are taken in key order and recorded as
   * done before anything is added, so two nodes importing at once each wait on the other's uncommitted rows and
   * add nothing twice.
   */
  static Result run(Connection db, long now) throws SQLException {
    Map<String, String> tables = tables(db);
    if (tables.isEmpty()) {
      return Result.NONE;
    }
    List<Team> teams = new ArrayList<>();
    List<VirtualKey> keys = new ArrayList<>();
    Map<String, Integer> skippedTeams = new TreeMap<>();
    Map<String, Integer> skippedKeys = new TreeMap<>();
    Map<String, Integer> notImported = new TreeMap<>();
    List<SpendRow> spend = new ArrayList<>();
    if (tables.containsKey(TEAMS_TABLE)) {
      count(skippedTeams, DONE_BEFORE, doneBefore(db, tables.get(TEAMS_TABLE), "team", "team_id"));
      for (Map<String, Object> row : newRows(db, tables.get(TEAMS_TABLE), TEAMS_TABLE, "team", "team_id")) {
        Mapped<Team> mapped;
        try {
          mapped = team(row, now);
        } catch (IllegalArgumentException invalid) {
          count(skippedTeams, "invalid " + field(invalid));
          continue;
        }
        if (!JdbcTenantStore.recordImportIfFirst(db, "team", mapped.value().teamId(), now)) {
          count(skippedTeams, DONE_BEFORE);
          continue;
        }
        if (!JdbcTenantStore.insertTeamIfAbsent(db, mapped.value())) {
          count(skippedTeams, "already in Affinity");
          continue;
        }
        JdbcTenantStore.recordAdded(db, "team", mapped.value().teamId());
        teams.add(mapped.value());
        mapped.notImported().forEach(column -> count(notImported, "teams." + column));
        if (mapped.spend() > 0) {
          spend.add(opening("team:" + mapped.value().teamId(), "", "", mapped.value().teamId(), null, mapped));
        }
      }
    }
    if (tables.containsKey(KEYS_TABLE)) {
      count(skippedKeys, DONE_BEFORE, doneBefore(db, tables.get(KEYS_TABLE), "key", "token"));
      for (Map<String, Object> row : newRows(db, tables.get(KEYS_TABLE), KEYS_TABLE, "key", "token")) {
        Mapped<VirtualKey> mapped;
        try {
          mapped = key(row, now);
        } catch (IllegalArgumentException invalid) {
          count(skippedKeys, "invalid " + field(invalid));
          continue;
        }
        VirtualKey key = mapped.value();
        if (!JdbcTenantStore.recordImportIfFirst(db, "key", key.tokenHash(), now)) {
          count(skippedKeys, DONE_BEFORE);
          continue;
        }
        if (!JdbcTenantStore.insertKeyIfAbsent(db, key)) {
          count(skippedKeys, "already in Affinity");
          continue;
        }
        JdbcTenantStore.recordAdded(db, "key", key.tokenHash());
        keys.add(key);
        mapped.notImported().forEach(column -> count(notImported, "keys." + column));
        if (mapped.spend() > 0) {
          // no team on the key's row: LiteLLM's team spend already holds it, imported with the team
          spend.add(opening("key:" + key.id(), key.id(), key.hashPrefix(), null, key.keyAlias(), mapped));
        }
      }
    }
    JdbcTenantStore.insertSpend(db, spend);
    List<VirtualKey> revoked = new ArrayList<>();
    for (String hash : revokedThere(db, tables.get(KEYS_TABLE), "key", "token", now)) {
      VirtualKey key = JdbcTenantStore.keyOf(db, importedId(hash), hash);
      if (key != null && !key.blocked()) {
        VirtualKey blocked = key.withBlocked(true);
        JdbcTenantStore.replaceKey(db, blocked);
        revoked.add(blocked);
      }
    }
    List<Team> revokedTeams = new ArrayList<>();
    for (String teamId : revokedThere(db, tables.get(TEAMS_TABLE), "team", "team_id", now)) {
      Team team = JdbcTenantStore.teamOf(db, teamId);
      if (team != null && !team.blocked()) {
        Team blocked = team.withBlocked(true);
        JdbcTenantStore.replaceTeam(db, blocked);
        revokedTeams.add(blocked);
      }
    }
    return new Result(true, List.copyOf(teams), List.copyOf(keys), skippedKeys, skippedTeams, notImported,
        List.copyOf(revoked), List.copyOf(revokedTeams));
  }

  /**
   * The rows this import added (keys by hash, teams by id) that have since been deleted or blocked in LiteLLM, each
   * marked followed ({@code revoked_at}) so that it is returned once, by one node: a key or team revoked in LiteLLM's
   * UI is blocked here too, and one unblocked through Affinity afterwards stays unblocked. Teams Affinity had of its
   * own are not among them ({@code added}); for keys the caller checks the id the import gives, and a key regenerated
   * through Affinity no longer has the value LiteLLM had: it is left alone. Unblocking in LiteLLM, and its other
   * changes, are not followed.
   *
   * @param table LiteLLM's table, or null when it has none (then nothing)
   */
  private static List<String> revokedThere(Connection db, String table, String kind, String idColumn, long now)
      throws SQLException {
    if (table == null) {
      return List.of();
    }
    Map<String, Boolean> inLiteLlm = new HashMap<>();
    try (Statement statement = db.createStatement();
         ResultSet rows = statement.executeQuery("SELECT " + quote(idColumn) + ", blocked FROM " + table)) {
      while (rows.next()) {
        String id = rows.getString(1);
        if (id != null) {
          // a key's token may still be in the clear in an old LiteLLM: the import recorded its hash
          inLiteLlm.put(kind.equals("key") ? KeyToken.hashOfReference(id.trim()) : id, rows.getBoolean(2));
        }
      }
    }
    List<String> candidates = new ArrayList<>();
    // a key the import added has the id it gives (the caller checks), whenever it was imported; a team only says so
    // by `added`, recorded since schema version 4
    try (PreparedStatement select = db.prepareStatement("SELECT litellm_id FROM affinity_litellm_import WHERE"
        + " kind = ? AND revoked_at IS NULL" + (kind.equals("team") ? " AND added" : "") + " ORDER BY litellm_id")) {
      select.setString(1, kind);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          Boolean blocked = inLiteLlm.get(rows.getString(1));
          if (blocked == null || blocked) {
            candidates.add(rows.getString(1));
          }
        }
      }
    }
    List<String> revoked = new ArrayList<>();
    try (PreparedStatement followed = db.prepareStatement("UPDATE affinity_litellm_import SET revoked_at = ? WHERE"
        + " kind = ? AND litellm_id = ? AND revoked_at IS NULL")) {
      for (String id : candidates) {
        followed.setLong(1, now);
        followed.setString(2, kind);
        followed.setString(3, id);
        if (followed.executeUpdate() == 1) { // else another node followed it first
          revoked.add(id);
        }
      }
    }
    return revoked;
  }

  /** The id a key imported from LiteLLM gets: the same on every node, from its hash. */
  private static String importedId(String hash) {
    return UUID.nameUUIDFromBytes(("litellm:" + hash).getBytes(StandardCharsets.UTF_8)).toString();
  }

  /** LiteLLM's spend as one row dated inside the budget period it belongs to, so the budget's counter starts there. */
  private static SpendRow opening(String entry, String keyId, String hashPrefix, String teamId, String keyAlias,
                                  Mapped<?> mapped) {
    // the entry id is the same on every node: an import that races another writes it once
    return new SpendRow(ROUTE + ":" + entry, ROUTE, keyId, hashPrefix, teamId, keyAlias, null, null, ROUTE, 0, 0, 0,
        0, 0, mapped.spend(), 0, mapped.spendAt());
  }

  /**
   * The key a LiteLLM row describes.
   *
   * @throws IllegalArgumentException whose message starts with the column at fault
   */
  static Mapped<VirtualKey> key(Map<String, Object> row, long now) {
    String token = string(row, "token");
    if (token == null) {
      throw new IllegalArgumentException("token is missing");
    }
    // LiteLLM keeps the hash; a value still in the clear (sk-...) is hashed as Affinity would
    String hash = KeyToken.hashOfReference(token.trim());
    if (!HASH.matcher(hash).matches()) {
      throw new IllegalArgumentException("token is not a SHA-256");
    }
    Allowance allowance = allowance(row);
    long created = createdAt(row, now);
    long anchor = anchor(created, allowance, instant(row, "budget_reset_at"));
    String id = importedId(hash);
    VirtualKey key = new VirtualKey(id, hash, string(row, "key_name"), bounded(row, "key_alias"),
        bounded(row, "team_id"), models(row), allowance, instant(row, "expires"), object(row, "metadata"), Map.of(),
        Boolean.TRUE.equals(row.get("blocked")), anchor);
    return new Mapped<>(key, spend(row), spendAt(row, allowance, now), present(row, KEY_ONLY_IN_LITELLM));
  }

  /** The team a LiteLLM row describes; throws as {@link #key}. */
  static Mapped<Team> team(Map<String, Object> row, long now) {
    String teamId = bounded(row, "team_id");
    if (teamId == null || teamId.isBlank()) {
      throw new IllegalArgumentException("team_id is missing");
    }
    Allowance allowance = allowance(row);
    long anchor = anchor(createdAt(row, now), allowance, instant(row, "budget_reset_at"));
    Team team = new Team(teamId, string(row, "team_alias"), models(row), allowance, object(row, "metadata"),
        Boolean.TRUE.equals(row.get("blocked")), List.of(), anchor);
    return new Mapped<>(team, spend(row), spendAt(row, allowance, now), present(row, TEAM_ONLY_IN_LITELLM));
  }

  private static Allowance allowance(Map<String, Object> row) {
    String duration = string(row, "budget_duration");
    return new Allowance(whole(row, "rpm_limit"), whole(row, "tpm_limit"), whole(row, "max_parallel_requests"),
        number(row, "max_budget"), duration == null || duration.isBlank() ? null : duration.trim());
  }

  /**
   * Affinity counts budget periods from the key's creation; LiteLLM resets at {@code budget_reset_at}. The anchor is
   * moved back (less than one period) onto LiteLLM's schedule, so the budget resets when LiteLLM's would have.
   */
  static long anchor(long created, Allowance allowance, Long resetAt) {
    long period = allowance.budgetPeriodMillis();
    if (period <= 0 || resetAt == null) {
      return created;
    }
    return created - Math.floorMod(created - resetAt, period);
  }

  /**
   * When LiteLLM's spend is dated: now, in the current period; but when LiteLLM's reset is already due, in the period
   * that just ended (LiteLLM would reset it at its next check), so it no longer counts.
   */
  private static long spendAt(Map<String, Object> row, Allowance allowance, long now) {
    Long resetAt = instant(row, "budget_reset_at");
    if (allowance.budgetPeriodMillis() > 0 && resetAt != null && resetAt <= now) {
      return resetAt - 1;
    }
    return now;
  }

  private static double spend(Map<String, Object> row) {
    Double spend = number(row, "spend");
    return spend == null || spend.isNaN() || spend < 0 ? 0 : spend;
  }

  private static long createdAt(Map<String, Object> row, long now) {
    Long created = instant(row, "created_at");
    return created == null ? now : created;
  }

  private static List<String> models(Map<String, Object> row) {
    List<String> models = strings(row, "models");
    return models.stream().anyMatch(EVERY_MODEL::contains) ? List.of() : models;
  }

  /** The columns among {@code columns} this row sets (not null, not empty, not false). */
  private static List<String> present(Map<String, Object> row, List<String> columns) {
    List<String> set = new ArrayList<>();
    for (String column : columns) {
      Object value = row.get(column);
      boolean empty = value == null || Boolean.FALSE.equals(value)
          || value instanceof String text && text.isBlank()
          || value instanceof List<?> list && list.isEmpty()
          || value instanceof JsonObject object && object.isEmpty()
          || value instanceof JsonArray array && array.isEmpty();
      if (!empty) {
        set.add(column);
      }
    }
    return set;
  }

  private static String string(Map<String, Object> row, String column) {
    Object value = row.get(column);
    return value == null ? null : value.toString();
  }

  private static String bounded(Map<String, Object> row, String column) {
    String value = string(row, column);
    if (value != null && value.length() > MAX_ID) {
      throw new IllegalArgumentException(column + " is longer than " + MAX_ID + " characters");
    }
    return value;
  }

  private static Long whole(Map<String, Object> row, String column) {
    Object value = row.get(column);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Number number)) {
      throw new IllegalArgumentException(column + " is not a number");
    }
    return number.longValue();
  }

  private static Double number(Map<String, Object> row, String column) {
    Object value = row.get(column);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Number number)) {
      throw new IllegalArgumentException(column + " is not a number");
    }
    return number.doubleValue();
  }

  private static Long instant(Map<String, Object> row, String column) {
    Object value = row.get(column);
    if (value == null) {
      return null;
    }
    if (!(value instanceof java.time.Instant instant)) {
      throw new IllegalArgumentException(column + " is not a time");
    }
    return instant.toEpochMilli();
  }

  private static List<String> strings(Map<String, Object> row, String column) {
    Object value = row.get(column);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List<?> list)) {
      throw new IllegalArgumentException(column + " is not a list");
    }
    return list.stream().filter(item -> item != null).map(Object::toString).toList();
  }

  private static Map<String, Object> object(Map<String, Object> row, String column) {
    Object value = row.get(column);
    return value instanceof JsonObject object ? object.getMap() : Map.of();
  }

  private static String field(IllegalArgumentException invalid) {
    String message = invalid.getMessage() == null ? "row" : invalid.getMessage();
    int space = message.indexOf(' ');
    return space < 0 ? message : message.substring(0, space);
  }

  private static void count(Map<String, Integer> counts, String what) {
    count(counts, what, 1);
  }

  private static void count(Map<String, Integer> counts, String what, int how) {
    if (how > 0) {
      counts.merge(what, how, Integer::sum);
    }
  }

  /**
   * LiteLLM's tables visible on this connection's search path (Prisma makes them in the schema of its URL, by
   * default {@code public}): table name to its quoted, schema-qualified name.
   */
  private static Map<String, String> tables(Connection db) throws SQLException {
    Map<String, String> found = new HashMap<>();
    try (PreparedStatement query = db.prepareStatement("SELECT table_schema, table_name FROM information_schema.tables"
        + " WHERE table_name IN (?, ?) AND table_schema = ANY (current_schemas(false))"
        + " ORDER BY array_position(current_schemas(false), table_schema::name)")) {
      query.setString(1, KEYS_TABLE);
      query.setString(2, TEAMS_TABLE);
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          found.putIfAbsent(rows.getString(2), quote(rows.getString(1)) + "." + quote(rows.getString(2)));
        }
      }
    }
    return found;
  }

  /**
   * How many of a table's rows an earlier import took (each row is read once, ever: a start reads only the rows
   * LiteLLM added since, however many keys it holds).
   */
  private static int doneBefore(Connection db, String table, String kind, String id) throws SQLException {
    try (Statement statement = db.createStatement();
         ResultSet count = statement.executeQuery("SELECT COUNT(*) FROM " + table + " litellm WHERE "
             + taken(kind, id))) {
      count.next();
      return count.getInt(1);
    }
  }

  /** Whether a row was taken by an earlier import, as SQL over its table aliased {@code litellm}. */
  private static String taken(String kind, String id) {
    return "EXISTS (SELECT 1 FROM affinity_litellm_import done WHERE done.kind = '" + kind
        + "' AND done.litellm_id = litellm." + quote(id) + ")";
  }

  private static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  /**
   * Every row as column to value: times as Instants (LiteLLM's TIMESTAMP(3) holds UTC), arrays as lists, JSON parsed.
   */
  private static List<Map<String, Object>> newRows(Connection db, String table, String name, String kind, String id)
      throws SQLException {
    List<Map<String, Object>> rows = new ArrayList<>();
    try (Statement statement = db.createStatement();
         ResultSet results = statement.executeQuery("SELECT * FROM " + table + " litellm WHERE NOT " + taken(kind, id)
             + " ORDER BY " + quote(id))) {
      ResultSetMetaData columns = results.getMetaData();
      while (results.next()) {
        Map<String, Object> row = new HashMap<>();
        for (int i = 1; i <= columns.getColumnCount(); i++) {
          row.put(columns.getColumnName(i), value(results, i, columns.getColumnTypeName(i)));
        }
        rows.add(row);
      }
    } catch (SQLException failed) {
      throw new SQLException("reading " + name + ": " + failed.getSQLState(), failed.getSQLState(), failed);
    }
    return rows;
  }

  private static Object value(ResultSet results, int column, String type) throws SQLException {
    switch (type) {
      case "timestamp" -> {
        LocalDateTime time = results.getObject(column, LocalDateTime.class);
        return time == null ? null : time.toInstant(ZoneOffset.UTC);
      }
      case "timestamptz" -> {
        OffsetDateTime time = results.getObject(column, OffsetDateTime.class);
        return time == null ? null : time.toInstant();
      }
      case "json", "jsonb" -> {
        String json = results.getString(column);
        if (json == null) {
          return null;
        }
        try {
          return Json.decodeValue(json);
        } catch (RuntimeException unreadable) {
          return null;
        }
      }
      default -> {
        if (type.startsWith("_")) {
          Array array = results.getArray(column);
          return array == null ? null : Arrays.asList((Object[]) array.getArray());
        }
        return results.getObject(column);
      }
    }
  }
}
