package dev.affinity.router.tenancy;

import com.hazelcast.cluster.Cluster;
import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.affinity.model.Caller;
import dev.affinity.model.GatewayError;
import dev.affinity.model.RouteKind;
import dev.affinity.model.TokenUsage;
import dev.affinity.model.UsageReport;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.Secret;
import dev.affinity.router.routing.Tenants;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * Virtual keys, teams, their limits and spend on one node: the store of record ({@link TenantStore}), the cluster's
 * copy of keys and teams ({@link TenantDirectory}), its counters ({@link LimitCounters}) and the spend log on its
 * way to the store ({@link SpendJournal}). Exists when a master key is configured: without one the gateway is open
 * and has no keys to tell apart.
 */
public final class Tenancy implements Tenants {

  /** How often each node moves the spend rows it holds to the store. */
  static final long FLUSH_MILLIS = 1000;
  static final String LOADED_MAP = "affinity.tenancy";
  private static final Logger LOG = Logger.getLogger(Tenancy.class.getName());
  private static final Logger AUDIT = Logger.getLogger("affinity.audit");
  /** No key, or one the gateway does not know: the same answer, which the ingress words for the client's API. */
  public static final GatewayError UNKNOWN_KEY = GatewayError.authentication("invalid x-api-key");

  private final Vertx vertx;
  private final Secret masterKey;
  private final TenantStore store;
  private final TenantDirectory directory;
  private final LimitCounters counters;
  private final SpendJournal journal;
  private final Function<String, ? extends Collection<String>> accessGroups;
  private final WorkerExecutor worker;
  private final AtomicBoolean flushing = new AtomicBoolean();
  private final AtomicBoolean syncing = new AtomicBoolean();
  private final Cluster cluster;
  /** LiteLLM syncs this node ran (only the cluster's oldest member runs them). */
  private final AtomicLong liteLlmSyncs = new AtomicLong();
  private long flushTimer = -1;
  private long syncTimer = -1;

  private Tenancy(Vertx vertx, HazelcastInstance hazelcast, Secret masterKey, TenantStore store,
                  Function<String, ? extends Collection<String>> accessGroups) {
    this.vertx = vertx;
    this.accessGroups = accessGroups;
    this.masterKey = masterKey;
    this.store = store;
    this.directory = new TenantDirectory(hazelcast);
    this.counters = new LimitCounters(hazelcast);
    this.journal = new SpendJournal(hazelcast, store);
    this.cluster = hazelcast.getCluster();
    // one thread: the store has one connection, and admin changes are applied in the order they came
    this.worker = vertx.createSharedWorkerExecutor("affinity-tenancy-" + hazelcast.getName(), 1);
  }

  /**
   * Opens and migrates the store, loads keys, teams and this period's spend into the cluster's maps if this node is
   * the first of a starting cluster, follows the maps, and starts moving spend rows to the store.
   *
   * @param accessGroups the model access groups of a model ({@code GatewayConfig.accessGroups}), which a key's or
   *                     team's {@code models} may name
   */
  public static Future<Tenancy> start(Vertx vertx, HazelcastInstance hazelcast, Secret masterKey, TenantStore store,
                                      Function<String, ? extends Collection<String>> accessGroups) {
    return start(vertx, hazelcast, masterKey, store, accessGroups, 0);
  }

  /**
   * As above; when LiteLLM's tables are in the store's database, its new keys and teams are taken, and the keys
   * revoked there followed, every {@code liteLlmSyncMillis} as well as at start (0: at start only;
   * {@code general_settings.litellm_sync_interval}).
   */
  public static Future<Tenancy> start(Vertx vertx, HazelcastInstance hazelcast, Secret masterKey, TenantStore store,
                                      Function<String, ? extends Collection<String>> accessGroups,
                                      long liteLlmSyncMillis) {
    Tenancy tenancy = new Tenancy(vertx, hazelcast, masterKey, store, accessGroups);
    IMap<String, String> loaded = hazelcast.getMap(LOADED_MAP);
    String member = hazelcast.getCluster().getLocalMember().getUuid().toString();
    boolean[] liteLlmFound = new boolean[1];
    return tenancy.blocking(() -> {
      store.migrate();
      LiteLlmImport.Result imported = tenancy.importBlocking();
      liteLlmFound[0] = imported.found();
      if (loaded.putIfAbsent("loaded", member) == null) {
        tenancy.loadBlocking();
      } else {
        // a cluster already running loaded the store before this node's import: what it added goes in now
        tenancy.publishBlocking(imported);
      }
      tenancy.directory.followBlocking();
      return tenancy;
    }).onSuccess(started -> {
      started.flushTimer = vertx.setPeriodic(FLUSH_MILLIS, timer -> started.flush());
      if (liteLlmFound[0] && liteLlmSyncMillis > 0) {
        started.syncTimer = vertx.setPeriodic(liteLlmSyncMillis, timer -> started.syncLiteLlm());
      }
    })
        .onFailure(failure -> {
          tenancy.worker.close();
          store.close();
        });
  }

  /**
   * LiteLLM's keys and teams, when it shares the database, into the store. A failure is logged and the node starts
   * without them: Affinity's own keys and the master key still work, and the next start tries again.
   */
  private LiteLlmImport.Result importBlocking() {
    return importBlocking(true);
  }

  /** @param logged whether the summary is logged (at start; a periodic sync logs only what changed) */
  private LiteLlmImport.Result importBlocking(boolean logged) {
    try {
      LiteLlmImport.Result result = store.importLiteLlm();
      if (result.found() && logged) {
        LOG.info(result::summary);
      }
      return result;
    } catch (JdbcTenantStore.TenantStoreException failed) {
      // the SQL state only: a database's message may quote a row's values
      String state = failed.getCause() instanceof java.sql.SQLException sql ? sql.getSQLState() : null;
      LOG.warning("LiteLLM's keys and teams were not imported (SQL state " + state + "); they are tried again at"
          + " the next start or sync");
      return LiteLlmImport.Result.NONE;
    }
  }

  /** Keys and teams this node imported, into the cluster's maps and counters, when another node loaded the store. */
  private void publishBlocking(LiteLlmImport.Result imported) {
    putBlocking(imported.teams(), imported.keys());
    imported.revokedTeams().forEach(directory::putBlocking);
    imported.revoked().forEach(directory::putBlocking);
  }

  /**
   * LiteLLM's keys and teams made since, and the keys revoked there, while LiteLLM runs beside Affinity on the same
   * database. The cluster's oldest member does it (the store's import records would make each change once whoever
   * did, but LiteLLM's key table would be read by every node each interval); what it finds reaches every node through
   * the cluster's maps. When it leaves, the next oldest takes over at its next tick.
   */
  private void syncLiteLlm() {
    if (!oldestMember() || !syncing.compareAndSet(false, true)) {
      return;
    }
    liteLlmSyncs.incrementAndGet();
    blocking(() -> {
      LiteLlmImport.Result synced = importBlocking(false);
      publishBlocking(synced);
      if (synced.changed()) {
        LOG.info(synced::summary);
        synced.revoked().forEach(key -> AUDIT.info(() -> "litellm-sync action=block key=" + key.hashPrefix()
            + " reason=revoked-in-litellm"));
        synced.revokedTeams().forEach(team -> AUDIT.info(() -> "litellm-sync action=block team=" + team.teamId()
            + " reason=revoked-in-litellm"));
      }
      return null;
    }).onComplete(done -> syncing.set(false));
  }

  /** Whether this node is the cluster's oldest member, from its own view of the membership (no remote call). */
  private boolean oldestMember() {
    Iterator<Member> members = cluster.getMembers().iterator();
    return members.hasNext() && members.next().localMember();
  }

  /** How many LiteLLM syncs this node ran. */
  long liteLlmSyncs() {
    return liteLlmSyncs.get();
  }

  /** The store's keys, teams and this budget period's spend, into a cluster that has none. */
  private void loadBlocking() {
    List<Team> teams = store.teams();
    List<VirtualKey> keys = store.keys();
    putBlocking(teams, keys);
    LOG.info(() -> "loaded " + keys.size() + " key(s) and " + teams.size() + " team(s) from the " + store.describe());
  }

  /** Teams and keys into the cluster's maps, each budget's counter seeded with this period's spend in the store. */
  private void putBlocking(List<Team> teams, List<VirtualKey> keys) {
    long now = System.currentTimeMillis();
    for (Team team : teams) {
      directory.putBlocking(team);
      seedSpend("team", team.teamId(), team.allowance(), team.createdAt(), now);
    }
    for (VirtualKey key : keys) {
      directory.putBlocking(key);
      seedSpend("key", key.id(), key.allowance(), key.createdAt(), now);
    }
  }

  private void seedSpend(String kind, String id, Allowance allowance, long anchor, long now) {
    long since = Periods.periodStart(anchor, allowance.budgetPeriodMillis(), now);
    double spent = store.spendSince(kind.equals("team"), id, since);
    counters.seedBlocking(TenantPolicy.spendCounter(kind, id, allowance, anchor, now),
        Math.round(spent * TenantPolicy.NANOS_PER_USD));
  }

  /**
   * Who presents {@code key}: the master key, or a known virtual key (with its team); else a 401. Completes at once
   * for the master key and for keys this node has; a key it has not heard of costs one hop to the cluster's map.
   */
  public Future<Identity> identify(String key, Context context) {
    if (key == null || key.isEmpty()) {
      return Future.failedFuture(new Refusal(UNKNOWN_KEY));
    }
    if (MessageDigest.isEqual(key.getBytes(StandardCharsets.UTF_8),
        masterKey.value().getBytes(StandardCharsets.UTF_8))) {
      return Future.succeededFuture(Identity.ADMIN);
    }
    return directory.key(KeyToken.hash(key), context).compose(found -> {
      if (found == null) {
        return Future.failedFuture(new Refusal(UNKNOWN_KEY));
      }
      return directory.team(found.teamId(), context).map(team -> Identity.of(found, team));
    });
  }

  /**
   * Lets a request of {@code identity} for {@code model} go ahead, or refuses it: 401 blocked or expired, 403 model
   * not allowed, 429 a limit or budget reached. The grant holds a parallel-request slot until released. A null
   * {@code model} (an operation on a stored response) is held to the limits and budget only: the router checks the
   * alias the response's id names ({@link #reachable}).
   */
  public Future<Grant> admit(Identity identity, String model, Context context) {
    if (identity.key() == null) {
      return Future.succeededFuture(Grant.NONE);
    }
    long now = System.currentTimeMillis();
    GatewayError refusal = TenantPolicy.refusal(identity, model, accessGroups, now);
    if (refusal != null) {
      return Future.failedFuture(new Refusal(refusal));
    }
    List<Charge> charges = TenantPolicy.admission(identity, now);
    Charge outright = TenantPolicy.exhaustedOutright(charges);
    if (outright != null) {
      return Future.failedFuture(new Refusal(TenantPolicy.refused(outright)));
    }
    return counters.charge(charges, context).compose(refused -> refused != null
        ? Future.failedFuture(new Refusal(TenantPolicy.refused(refused)))
        : Future.succeededFuture(new Grant(counters, TenantPolicy.releases(charges))));
  }

  /**
   * Only deployments of a model the key and its team may call (a fallback alias included). A team with
   * {@code reserved_deployments} is routed to those only, so it shares no provider cache; every other
   * virtual key is kept off them. The master key reaches every deployment.
   */
  @Override
  public List<Deployment> reachable(Caller caller, String model, List<Deployment> deployments) {
    if (!caller.virtualKey()) {
      return deployments;
    }
    Team team = directory.teamById(caller.teamId());
    VirtualKey key = directory.keyById(caller.keyId());
    // a fallback alias is held to the key's models as the alias asked for was
    if (key != null && TenantPolicy.refusal(new Identity(caller, key, team), model, accessGroups,
        System.currentTimeMillis()) != null) {
      return List.of();
    }
    Map<String, String> reserved = directory.reservations();
    if (reserved.isEmpty()) {
      return deployments;
    }
    if (team != null && !team.reservedDeployments().isEmpty()) {
      return deployments.stream().filter(deployment -> team.reservedDeployments().contains(deployment.id())).toList();
    }
    return deployments.stream().filter(deployment -> !reserved.containsKey(deployment.id())).toList();
  }

  /**
   * Books a finished call of a virtual key: tokens to this minute's counters, cost to the budgets, a row to the
   * spend log. Called from the event loop of whichever router booked the call; waits for nothing.
   */
  @Override
  public void spent(UsageReport report, double costUsd) {
    Caller caller = report.caller();
    if (!caller.virtualKey()) {
      return;
    }
    TokenUsage usage = report.usage();
    long tokens = Math.max(0, usage.inputTokens()) + Math.max(0, usage.cacheCreationInputTokens())
        + Math.max(0, usage.cacheReadInputTokens()) + Math.max(0, usage.outputTokens());
    long now = System.currentTimeMillis();
    VirtualKey key = directory.keyById(caller.keyId());
    Team team = directory.teamById(caller.teamId());
    if (key != null) {
      counters.add(TenantPolicy.usage(new Identity(caller, key, team), tokens, costUsd, now));
    }
    SpendRow row = new SpendRow(report.requestId() + "@" + report.deploymentId(), report.requestId(),
        caller.keyId(), caller.keyHashPrefix(), caller.teamId(), caller.keyAlias(), report.alias(),
        report.deploymentId(), RouteKind.labelOf(report.route()), report.status(), Math.max(0, usage.inputTokens()),
        Math.max(0, usage.cacheCreationInputTokens()), Math.max(0, usage.cacheReadInputTokens()),
        Math.max(0, usage.outputTokens()), costUsd, report.latencyMillis(), now, caller.attribution().endUser(),
        caller.attribution().tags());
    journal.record(row).whenComplete((done, failure) -> {
      if (failure != null) {
        LOG.warning("request=" + report.requestId() + " spend row not recorded: " + failure.getMessage());
      }
    });
  }

  /** Moves the spend rows this node holds to the store now; completes with how many were written. */
  public Future<Integer> flush() {
    if (!flushing.compareAndSet(false, true)) {
      return Future.succeededFuture(0);
    }
    return blocking(journal::flushBlocking)
        .onFailure(failure -> LOG.warning("spend rows not yet written to the " + store.describe() + ": "
            + failure.getMessage() + "; kept in the cluster, retried in " + FLUSH_MILLIS + " ms"))
        .onComplete(done -> flushing.set(false));
  }

  /** Runs blocking work (the store, the cluster's maps) on the tenancy's one worker thread. */
  <T> Future<T> blocking(Callable<T> work) {
    return worker.executeBlocking(work, true);
  }

  TenantStore store() {
    return store;
  }

  TenantDirectory directory() {
    return directory;
  }

  LimitCounters counters() {
    return counters;
  }

  SpendJournal journal() {
    return journal;
  }

  Vertx vertx() {
    return vertx;
  }

  /** Stops moving rows (what this node holds is written first), stops following the maps, closes the store. */
  public Future<Void> close() {
    if (flushTimer >= 0) {
      vertx.cancelTimer(flushTimer);
    }
    if (syncTimer >= 0) {
      vertx.cancelTimer(syncTimer);
    }
    return blocking(() -> {
      try {
        journal.flushBlocking();
      } catch (RuntimeException notWritten) {
        LOG.warning("spend rows left in the cluster at shutdown: " + notWritten.getMessage());
      }
      directory.stopFollowing();
      store.close();
      return null;
    }).<Void>mapEmpty().eventually(() -> worker.close());
  }

  /** A request the tenancy refuses, with the error to answer. */
  public static final class Refusal extends RuntimeException {
    private final GatewayError error;

    public Refusal(GatewayError error) {
      super(error.message(), null, false, false);
      this.error = error;
    }

    public GatewayError error() {
      return error;
    }
  }

  /** What an admitted request holds until its answer ends: its parallel-request slots. */
  public static final class Grant {
    static final Grant NONE = new Grant(null, List.of());
    private final LimitCounters counters;
    private final List<Charge> releases;
    private final AtomicBoolean released = new AtomicBoolean();

    Grant(LimitCounters counters, List<Charge> releases) {
      this.counters = counters;
      this.releases = releases;
    }

    /** Gives the slots back; once, however often called. */
    public void release() {
      if (!releases.isEmpty() && released.compareAndSet(false, true)) {
        counters.add(releases);
      }
    }
  }
}
