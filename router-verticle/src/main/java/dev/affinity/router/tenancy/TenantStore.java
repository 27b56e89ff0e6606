package dev.affinity.router.tenancy;

import java.util.List;

/**
 * Where keys, teams and spend are kept for good: PostgreSQL, or an embedded database for a single node. Every
 * method blocks: callers run them on a worker, never on an event loop. Requests never wait on it: keys and teams
 * are served from the cluster's maps ({@link TenantDirectory}).
 */
public interface TenantStore extends AutoCloseable {

  /** Creates or upgrades the schema to this version of the gateway. */
  void migrate();

  List<VirtualKey> keys();

  List<Team> teams();

  /** Inserts or replaces the key with this id. */
  void saveKey(VirtualKey key);

  void deleteKey(String keyId);

  /** Inserts or replaces the team with this id. */
  void saveTeam(Team team);

  void deleteTeam(String teamId);

  /**
   * Adds the virtual keys and teams of a LiteLLM proxy that shares this database and that this store does not have
   * yet (by hash, by team id), with the spend they carry. Blocking; after {@link #migrate()}.
   */
  default LiteLlmImport.Result importLiteLlm() {
    return LiteLlmImport.Result.NONE;
  }

  /** Appends rows; a row whose entry id is already there is skipped, so a batch may be written again. */
  void appendSpend(List<SpendRow> rows);

  /** USD spent by a key ({@code team == false}) or a team since {@code sinceMillis}. */
  double spendSince(boolean team, String id, long sinceMillis);

  /** How many spend rows are kept. */
  long spendRows();

  /** The spend rows {@code filter} selects, newest first, at most its limit. */
  List<SpendRow> spendRows(SpendFilter filter);

  /**
   * USD, tokens and calls per UTC day, key, team and model of the rows {@code filter} selects (its limit aside): one
   * entry per day, key id, team and model (the alias the client asked for), oldest day first.
   */
  List<DaySpend> spendByDay(SpendFilter filter);

  /** As {@link #spendByDay}, one entry per end user too (null for the calls that named none). */
  List<DaySpend> spendByDayAndEndUser(SpendFilter filter);

  /**
   * What a key spent on a model on one UTC day ({@code day}: days since the epoch).
   *
   * @param promptTokens input, cache writes and cache reads together
   * @param calls        the upstream calls (rows) counted
   * @param endUser      the end user the calls named, in {@link #spendByDayAndEndUser}'s entries; else null
   */
  record DaySpend(long day, String keyId, String keyHashPrefix, String teamId, String model, double costUsd,
                  long promptTokens, long completionTokens, long calls, String endUser) {

    public DaySpend(long day, String keyId, String keyHashPrefix, String teamId, String model, double costUsd,
                    long promptTokens, long completionTokens, long calls) {
      this(day, keyId, keyHashPrefix, teamId, model, costUsd, promptTokens, completionTokens, calls, null);
    }
  }

  /**
   * USD and calls per tag of the rows {@code filter} selects (a call with several tags counts for each), the costliest
   * first, at most the filter's limit.
   */
  List<GroupSpend> spendByTag(SpendFilter filter);

  /**
   * USD and calls per end user of the rows {@code filter} selects, the costliest first, at most the filter's limit;
   * the calls that named none are one entry, of end user null.
   */
  List<GroupSpend> spendByEndUser(SpendFilter filter);

  /**
   * USD and calls per deployment (its id) of the rows {@code filter} selects, the costliest first, at most
   * its limit.
   */
  List<GroupSpend> spendByDeployment(SpendFilter filter);

  /** What the calls of one group (a tag, an end user, a deployment; null for the calls of none) cost. */
  record GroupSpend(String group, long calls, double costUsd) {
  }

  /** Where the data is, for logs: no password. */
  String describe();

  @Override
  void close();
}
