package dev.affinity.router.pins;

import com.hazelcast.core.EntryView;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.affinity.router.cache.AffinityDecision;
import dev.affinity.router.cache.CacheTtl;
import io.vertx.core.Context;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The cluster-wide map from prefix key to deployment id (Hazelcast {@code IMap} named {@value #NAME}, configured in
 * cluster.xml). Every call is asynchronous and completes on the caller's context; reads and writes are one
 * round trip each, whatever the number of keys.
 */
public final class PinMap {

  public static final String NAME = "affinity.pins";

  private final IMap<String, String> map;

  /** Refuses a member configured without {@link PinProcessors}: it could not read other members' pin operations. */
  public PinMap(HazelcastInstance hazelcast) {
    PinProcessors.requireRegistered(hazelcast);
    this.map = hazelcast.getMap(NAME);
  }

  /**
   * What a read or write found.
   *
   * @param owners    key → the cache scope it is pinned to (for a write: the writer's own scope when it is one of the
   *                  pin's owners, else the first owner); keys that are not pinned are absent
   * @param warming   key → when its warm-up started, for pins whose first request is not answered yet
   * @param allOwners key → every scope that holds the prefix, the first owner first
   */
  public record Found(Map<String, String> owners, Map<String, Long> warming, Map<String, List<String>> allOwners) {

    static final Found NOTHING = new Found(Map.of(), Map.of(), Map.of());

    public Found(Map<String, String> owners, Map<String, Long> warming) {
      this(owners, warming, single(owners));
    }

    private static Map<String, List<String>> single(Map<String, String> owners) {
      Map<String, List<String>> all = new HashMap<>();
      owners.forEach((key, owner) -> all.put(key, List.of(owner)));
      return all;
    }

    static Found of(Map<String, String> raw) {
      return of(raw, null);
    }

    /** @param writer the scope a write was made for, or null for a read */
    static Found of(Map<String, String> raw, String writer) {
      Map<String, String> owners = new HashMap<>();
      Map<String, Long> warming = new HashMap<>();
      Map<String, List<String>> all = new HashMap<>();
      raw.forEach((key, value) -> {
        if (value != null) {
          PinValue pin = PinValue.parse(value);
          owners.put(key, writer != null && pin.ownedBy(writer) ? writer : pin.scope());
          all.put(key, pin.owners());
          if (pin.warming()) {
            warming.put(key, pin.warmingSince());
          }
        }
      });
      return new Found(owners, warming, all);
    }

    Found plus(Found other) {
      Map<String, String> owners = new HashMap<>(this.owners);
      Map<String, Long> warming = new HashMap<>(this.warming);
      Map<String, List<String>> all = new HashMap<>(this.allOwners);
      owners.putAll(other.owners);
      warming.putAll(other.warming);
      all.putAll(other.allOwners);
      return new Found(owners, warming, all);
    }
  }

  /** The scope each of {@code keys} is pinned to, and which of them are warming up. */
  public Future<Found> lookup(List<String> keys, Context context) {
    if (keys.isEmpty()) {
      return Future.succeededFuture(Found.NOTHING);
    }
    return Future.fromCompletionStage(map.submitToKeys(new HashSet<>(keys), PinRead.INSTANCE), context)
        .map(Found::of);
  }

  /**
   * Applies the decision's claims, replacements and refreshes; answers with each key's owner afterwards. Keys that
   * take the same write (kind, deployment, TTL) go in one {@code submitToKeys}; the groups run concurrently.
   *
   * @param warmingSince when non-zero, new pins are written warming up since then (see {@link #warmed})
   */
  public Future<Found> apply(AffinityDecision decision, long warmingSince, Context context) {
    Map<PinWrite, Set<String>> writes = new HashMap<>();
    String chosen = decision.deploymentId();
    decision.refreshes().forEach(refresh -> writes.computeIfAbsent(new PinWrite(PinWrite.Kind.REFRESH, chosen,
        null, refresh.ttl().duration().toSeconds()), w -> new HashSet<>()).add(refresh.key()));
    decision.claims().forEach(claim -> writes.computeIfAbsent(new PinWrite(PinWrite.Kind.CLAIM, chosen, null,
        claim.ttl().duration().toSeconds(), warmingSince), w -> new HashSet<>()).add(claim.key()));
    decision.replacements().forEach(replacement -> writes.computeIfAbsent(new PinWrite(PinWrite.Kind.REPLACE,
        chosen, replacement.staleDeploymentId(), replacement.ttl().duration().toSeconds(), warmingSince),
        w -> new HashSet<>()).add(replacement.key()));
    decision.additions().forEach(addition -> writes.computeIfAbsent(new PinWrite(PinWrite.Kind.ADD_OWNER, chosen,
        null, addition.ttl().duration().toSeconds()), w -> new HashSet<>()).add(addition.key()));
    return write(writes, context);
  }

  /**
   * Points {@code keys} at {@code deployment} where they still point at {@code stale}: after a request lost a claim
   * race on its longest prefix and followed the winner, the shorter prefixes it did win must follow too, or they
   * would name a deployment that never saw the prompt.
   */
  public Future<Found> repoint(Map<String, CacheTtl> keys, String stale, String deployment, Context context) {
    Map<PinWrite, Set<String>> writes = new HashMap<>();
    keys.forEach((key, ttl) -> writes.computeIfAbsent(new PinWrite(PinWrite.Kind.REPLACE, deployment, stale,
        ttl.duration().toSeconds()), w -> new HashSet<>()).add(key));
    return write(writes, context);
  }

  /**
   * Makes {@code scope} one more owner of {@code keys} (a pin that is absent is claimed for it): a session placed on
   * {@code scope} by load writes these shared prefixes there, so later sessions may follow them to either owner.
   */
  public Future<Found> addOwner(Map<String, CacheTtl> keys, String scope, Context context) {
    Map<PinWrite, Set<String>> writes = new HashMap<>();
    keys.forEach((key, ttl) -> writes.computeIfAbsent(new PinWrite(PinWrite.Kind.ADD_OWNER, scope, null,
        ttl.duration().toSeconds()), w -> new HashSet<>()).add(key));
    return write(writes, context);
  }

  /**
   * Ends the warm-up of pins this node claimed for {@code scope}: its request has started to be answered, so the
   * provider has the prefix cached and requests waiting for it may go.
   *
   * @param keys key → TTL in seconds, as claimed
   */
  public Future<Found> warmed(Map<String, Long> keys, String scope, Context context) {
    Map<PinWrite, Set<String>> writes = new HashMap<>();
    keys.forEach((key, ttlSeconds) -> writes.computeIfAbsent(new PinWrite(PinWrite.Kind.WARMED, scope, null,
        ttlSeconds), w -> new HashSet<>()).add(key));
    return write(writes, context);
  }

  private Future<Found> write(Map<PinWrite, Set<String>> writes, Context context) {
    if (writes.isEmpty()) {
      return Future.succeededFuture(Found.NOTHING);
    }
    List<Future<Found>> groups = new ArrayList<>();
    writes.forEach((write, keys) -> groups.add(Future.fromCompletionStage(map.submitToKeys(keys, write), context)
        .map(raw -> Found.of(raw, write.deployment()))));
    return Future.all(groups).map(all -> {
      Found found = Found.NOTHING;
      for (Future<Found> group : groups) {
        found = found.plus(group.result());
      }
      return found;
    });
  }

  /** One pin as the admin endpoint shows it: never the prompt, only a shortened hash. */
  public record PinView(String key, String deployment, long ttlSecondsLeft, long hits) {
  }

  /** Up to {@code limit} pins, for the admin endpoint. Blocking: call from a worker. */
  public List<PinView> listBlocking(int limit) {
    List<PinView> pins = new ArrayList<>();
    long now = System.currentTimeMillis();
    for (String key : map.keySet()) {
      if (pins.size() >= limit) {
        break;
      }
      EntryView<String, String> view = map.getEntryView(key);
      if (view != null) {
        long left = view.getExpirationTime() == Long.MAX_VALUE ? -1 : Math.max(0, (view.getExpirationTime() - now) / 1000);
        pins.add(new PinView(key, String.join(",", PinValue.parse(view.getValue()).owners()), left, view.getHits()));
      }
    }
    return pins;
  }

  /** Number of pins in the cluster. Blocking: call from a worker. */
  public int sizeBlocking() {
    return map.size();
  }

  /**
   * Pins whose primary copy this member holds, from its local statistics (no remote call): the sum over the members
   * is the cluster's pin count.
   */
  public int ownedHere() {
    return (int) Math.min(Integer.MAX_VALUE, map.getLocalMapStats().getOwnedEntryCount());
  }

  /** Removes every pin in the cluster. Blocking: call from a worker. */
  public void clearBlocking() {
    map.clear();
  }
}
