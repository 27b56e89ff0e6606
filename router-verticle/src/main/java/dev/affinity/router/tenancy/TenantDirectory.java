package dev.affinity.router.tenancy;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.MapEvent;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryEvictedListener;
import com.hazelcast.map.listener.EntryExpiredListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import com.hazelcast.map.listener.MapClearedListener;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * Keys and teams as every node sees them: two Hazelcast maps (key hash to key, team id to team, as JSON) and a copy
 * of each on this node, kept current by the maps' events. A request is checked against the copy, with no network
 * and no database; a key this node has not heard of yet (made a moment ago on another node) is asked of the map,
 * one hop, and then copied. The database is written first ({@link TenantStore}), the maps after.
 */
public final class TenantDirectory {

  public static final String KEYS = "affinity.keys";
  public static final String TEAMS = "affinity.teams";
  private static final Logger LOG = Logger.getLogger(TenantDirectory.class.getName());

  private final IMap<String, String> keys;
  private final IMap<String, String> teams;
  private final Map<String, VirtualKey> keyCopy = new ConcurrentHashMap<>();
  private final Map<String, VirtualKey> keyIds = new ConcurrentHashMap<>();
  private final Map<String, Team> teamCopy = new ConcurrentHashMap<>();
  /** Deployment id to the team it is reserved to, from the teams' {@code reserved_deployments}. */
  private volatile Map<String, String> reservations = Map.of();
  private UUID keyListener;
  private UUID teamListener;

  public TenantDirectory(HazelcastInstance hazelcast) {
    this.keys = hazelcast.getMap(KEYS);
    this.teams = hazelcast.getMap(TEAMS);
  }

  /** Follows the maps and copies what they hold now. Blocking: on a worker, at start. */
  void followBlocking() {
    keyListener = keys.addEntryListener(new Follower<>(keyCopy, TenantJson::readKey, this::indexed), true);
    teamListener = teams.addEntryListener(new Follower<>(teamCopy, TenantJson::readTeam, (team, present) -> reserve()), true);
    keys.forEach((hash, json) -> decode(json, TenantJson::readKey).ifPresent(key -> {
      if (keyCopy.putIfAbsent(hash, key) == null) {
        keyIds.putIfAbsent(key.id(), key);
      }
    }));
    teams.forEach((id, json) -> decode(json, TenantJson::readTeam).ifPresent(team -> teamCopy.putIfAbsent(id, team)));
    reserve();
  }

  void stopFollowing() {
    if (keyListener != null) {
      keys.removeEntryListener(keyListener);
      teams.removeEntryListener(teamListener);
    }
  }

  /** Whether the cluster's maps hold nothing yet (a cluster starting, with the database to load). */
  boolean emptyBlocking() {
    return keys.isEmpty() && teams.isEmpty();
  }

  /** The key with this hash, or null. Completes at once when this node has it; else on {@code context}. */
  public Future<VirtualKey> key(String tokenHash, Context context) {
    VirtualKey copy = keyCopy.get(tokenHash);
    if (copy != null) {
      return Future.succeededFuture(copy);
    }
    return Future.fromCompletionStage(keys.getAsync(tokenHash), context)
        .map(json -> decode(json, TenantJson::readKey).map(key -> {
          keyCopy.putIfAbsent(tokenHash, key);
          keyIds.putIfAbsent(key.id(), key);
          return key;
        }).orElse(null));
  }

  /** The key with this id as this node knows it, or null (deleted, or not heard of yet). */
  public VirtualKey keyById(String id) {
    return id == null ? null : keyIds.get(id);
  }

  /** The team with this id as this node knows it, or null. */
  public Team teamById(String id) {
    return id == null ? null : teamCopy.get(id);
  }

  /** Keeps the id index in step with the copy: a key's newest form under its id, gone when its hash goes. */
  private void indexed(VirtualKey key, boolean present) {
    if (present) {
      keyIds.put(key.id(), key);
    } else {
      keyIds.computeIfPresent(key.id(), (id, known) -> known.tokenHash().equals(key.tokenHash()) ? null : known);
    }
  }

  /** The team with this id, or null. Completes at once when this node has it; else on {@code context}. */
  public Future<Team> team(String teamId, Context context) {
    if (teamId == null) {
      return Future.succeededFuture();
    }
    Team copy = teamCopy.get(teamId);
    if (copy != null) {
      return Future.succeededFuture(copy);
    }
    return Future.fromCompletionStage(teams.getAsync(teamId), context)
        .map(json -> decode(json, TenantJson::readTeam).map(team -> {
          teamCopy.putIfAbsent(teamId, team);
          return team;
        }).orElse(null));
  }

  /** This node's copy: every key. */
  public java.util.Collection<VirtualKey> keys() {
    return keyCopy.values();
  }

  /** This node's copy: every team. */
  public java.util.Collection<Team> teams() {
    return teamCopy.values();
  }

  /** Forgets this node's copy of a key, as if the node had not heard of it yet: the next request asks the map. */
  void forgetCopy(String tokenHash) {
    keyCopy.remove(tokenHash);
  }

  /** Publishes a key (after the store has it). Blocking. */
  void putBlocking(VirtualKey key) {
    keys.set(key.tokenHash(), TenantJson.key(key).encode());
    keyCopy.put(key.tokenHash(), key);
    keyIds.put(key.id(), key);
  }

  void removeKeyBlocking(VirtualKey key) {
    keys.delete(key.tokenHash());
    keyCopy.remove(key.tokenHash());
    indexed(key, false);
  }

  void putBlocking(Team team) {
    teams.set(team.teamId(), TenantJson.team(team).encode());
    teamCopy.put(team.teamId(), team);
    reserve();
  }

  void removeTeamBlocking(String teamId) {
    teams.delete(teamId);
    teamCopy.remove(teamId);
    reserve();
  }

  /** Deployment id to the team it is reserved to; read on every request of a virtual key, rebuilt on a change. */
  public Map<String, String> reservations() {
    return reservations;
  }

  private void reserve() {
    Map<String, String> reserved = new java.util.HashMap<>();
    teamCopy.values().forEach(team -> team.reservedDeployments().forEach(id -> reserved.putIfAbsent(id, team.teamId())));
    reservations = Map.copyOf(reserved);
  }

  private static <T> java.util.Optional<T> decode(String json, Function<JsonObject, T> read) {
    if (json == null) {
      return java.util.Optional.empty();
    }
    try {
      return java.util.Optional.of(read.apply(new JsonObject(json)));
    } catch (RuntimeException invalid) {
      // values read from shared maps are checked: a bad one is no key at all
      LOG.warning("ignoring an invalid entry of the tenancy maps: " + invalid.getMessage());
      return java.util.Optional.empty();
    }
  }

  /** Keeps a copy equal to its map. Runs on Hazelcast's event threads. */
  private static final class Follower<T> implements EntryAddedListener<String, String>,
      EntryUpdatedListener<String, String>, EntryRemovedListener<String, String>,
      EntryEvictedListener<String, String>, EntryExpiredListener<String, String>, MapClearedListener {

    private final Map<String, T> copy;
    private final Function<JsonObject, T> read;
    private final java.util.function.BiConsumer<T, Boolean> changed;

    Follower(Map<String, T> copy, Function<JsonObject, T> read, java.util.function.BiConsumer<T, Boolean> changed) {
      this.copy = copy;
      this.read = read;
      this.changed = changed;
    }

    @Override
    public void entryAdded(EntryEvent<String, String> event) {
      set(event);
    }

    @Override
    public void entryUpdated(EntryEvent<String, String> event) {
      set(event);
    }

    @Override
    public void entryRemoved(EntryEvent<String, String> event) {
      gone(event.getKey());
    }

    @Override
    public void entryEvicted(EntryEvent<String, String> event) {
      gone(event.getKey());
    }

    @Override
    public void entryExpired(EntryEvent<String, String> event) {
      gone(event.getKey());
    }

    private void gone(String key) {
      T removed = copy.remove(key);
      if (removed != null) {
        changed.accept(removed, false);
      }
    }

    @Override
    public void mapCleared(MapEvent event) {
      copy.keySet().forEach(this::gone);
    }

    private void set(EntryEvent<String, String> event) {
      decode(event.getValue(), read).ifPresentOrElse(value -> {
        copy.put(event.getKey(), value);
        changed.accept(value, true);
      }, () -> gone(event.getKey()));
    }
  }
}
