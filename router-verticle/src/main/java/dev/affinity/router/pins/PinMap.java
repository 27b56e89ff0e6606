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

  public PinMap(HazelcastInstance hazelcast) {
    this.map = hazelcast.getMap(NAME);
  }

  /** The deployment each of {@code keys} is pinned to; keys that are not pinned are absent. */
  public Future<Map<String, String>> lookup(List<String> keys, Context context) {
    if (keys.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    return Future.fromCompletionStage(map.submitToKeys(new HashSet<>(keys), PinRead.INSTANCE), context)
        .map(PinMap::withoutNulls);
  }

  /**
   * Applies the decision's claims, replacements and refreshes; answers with each key's owner afterwards. Keys that
   * take the same write (kind, deployment, TTL) go in one {@code submitToKeys}; the groups run concurrently.
   */
  public Future<Map<String, String>> apply(AffinityDecision decision, Context context) {
    Map<PinWrite, Set<String>> writes = new HashMap<>();
    String chosen = decision.deploymentId();
    decision.refreshes().forEach(refresh -> writes.computeIfAbsent(new PinWrite(PinWrite.Kind.REFRESH, chosen,
        null, refresh.ttl().duration().toSeconds()), w -> new HashSet<>()).add(refresh.key()));
    decision.claims().forEach(claim -> writes.computeIfAbsent(new PinWrite(PinWrite.Kind.CLAIM, chosen, null,
        claim.ttl().duration().toSeconds()), w -> new HashSet<>()).add(claim.key()));
    decision.replacements().forEach(replacement -> writes.computeIfAbsent(new PinWrite(PinWrite.Kind.REPLACE,
        chosen, replacement.staleDeploymentId(), replacement.ttl().duration().toSeconds()), w -> new HashSet<>())
        .add(replacement.key()));
    return write(writes, context);
  }

  /**
   * Points {@code keys} at {@code deployment} where they still point at {@code stale}: after a request lost a claim
   * race on its longest prefix and followed the winner, the shorter prefixes it did win must follow too, or they
   * would name a deployment that never saw the prompt.
   */
  public Future<Map<String, String>> repoint(Map<String, CacheTtl> keys, String stale, String deployment,
                                             Context context) {
    Map<PinWrite, Set<String>> writes = new HashMap<>();
    keys.forEach((key, ttl) -> writes.computeIfAbsent(new PinWrite(PinWrite.Kind.REPLACE, deployment, stale,
        ttl.duration().toSeconds()), w -> new HashSet<>()).add(key));
    return write(writes, context);
  }

  private Future<Map<String, String>> write(Map<PinWrite, Set<String>> writes, Context context) {
    if (writes.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    List<Future<Map<String, String>>> groups = new ArrayList<>();
    writes.forEach((write, keys) ->
        groups.add(Future.fromCompletionStage(map.submitToKeys(keys, write), context)));
    return Future.all(groups).map(all -> {
      Map<String, String> owners = new HashMap<>();
      groups.forEach(group -> owners.putAll(withoutNulls(group.result())));
      return owners;
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
        pins.add(new PinView(key, view.getValue(), left, view.getHits()));
      }
    }
    return pins;
  }

  /** Number of pins in the cluster. Blocking: call from a worker. */
  public int sizeBlocking() {
    return map.size();
  }

  /** Removes every pin in the cluster. Blocking: call from a worker. */
  public void clearBlocking() {
    map.clear();
  }

  private static Map<String, String> withoutNulls(Map<String, String> results) {
    Map<String, String> present = new HashMap<>();
    results.forEach((key, value) -> {
      if (value != null) {
        present.put(key, value);
      }
    });
    return present;
  }
}
