package dev.affinity.router.pins;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.vertx.core.Context;
import io.vertx.core.Future;

import java.util.Collection;
import java.util.HashSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The cluster's cooldowns (Hazelcast {@code IMap} named {@value #NAME}): deployment id to the epoch millisecond its
 * cooldown ends. A node that cools a deployment publishes it here; every node listens and applies it, so pinned
 * traffic moves off a failing deployment everywhere, not only where the failures were seen. Values are wall-clock
 * instants, so members' clocks are assumed to agree to well under a cooldown (NTP).
 */
public final class CooldownMap {

  public static final String NAME = "affinity.cooldowns";

  private final IMap<String, Long> map;

  public CooldownMap(HazelcastInstance hazelcast) {
    this.map = hazelcast.getMap(NAME);
  }

  /** Tells every member that {@code deploymentId} cools down until {@code untilMillis}. Fire and forget. */
  public Future<Void> publish(String deploymentId, long untilMillis, Context context) {
    long ttl = Math.max(1, untilMillis - System.currentTimeMillis());
    return Future.fromCompletionStage(map.setAsync(deploymentId, untilMillis, ttl, TimeUnit.MILLISECONDS), context);
  }

  /**
   * Calls {@code onCooldown(deploymentId, untilMillis)} for every cooldown published from now on (by any member,
   * this one included), after first reporting those already running for {@code deploymentIds}. The callback runs on
   * Hazelcast's event threads and must be thread-safe. Blocking (a listener registration and one read): call it
   * from a worker, at start-up.
   */
  public void followBlocking(Collection<String> deploymentIds, BiConsumer<String, Long> onCooldown) {
    map.addEntryListener(new Listener(onCooldown), true);
    map.getAll(new HashSet<>(deploymentIds)).forEach(onCooldown);
  }

  private record Listener(BiConsumer<String, Long> onCooldown)
      implements EntryAddedListener<String, Long>, EntryUpdatedListener<String, Long> {

    @Override
    public void entryAdded(EntryEvent<String, Long> event) {
      onCooldown.accept(event.getKey(), event.getValue());
    }

    @Override
    public void entryUpdated(EntryEvent<String, Long> event) {
      onCooldown.accept(event.getKey(), event.getValue());
    }
  }
}
