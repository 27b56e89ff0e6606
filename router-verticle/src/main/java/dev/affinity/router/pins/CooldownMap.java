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
import java.util.Optional;
import java.util.Set;
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
  /**
   * The longest cooldown taken from the map. A value is whatever a member wrote: one of Long.MAX_VALUE must not cool
   * a deployment forever. An hour is far past any retry-after honoured (RoutingVerticle caps those at an hour too).
   */
  static final long MAX_COOLDOWN_MILLIS = 3_600_000;

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
    Set<String> known = Set.copyOf(deploymentIds);
    BiConsumer<Object, Object> checked = (id, until) -> validated(known, id, until, System.currentTimeMillis())
        .ifPresent(clamped -> onCooldown.accept((String) id, clamped));
    map.addEntryListener(new Listener(checked), true);
    ((IMap<Object, Object>) (IMap<?, ?>) map).getAll(new HashSet<>(deploymentIds)).forEach(checked);
  }

  /**
   * A cooldown read from the map as this node applies it: only for a deployment it knows, as a number, no later than
   * {@link #MAX_COOLDOWN_MILLIS} from now; empty for anything else.
   */
  static Optional<Long> validated(Set<String> known, Object deploymentId, Object untilMillis, long nowMillis) {
    if (!(deploymentId instanceof String id) || !known.contains(id) || !(untilMillis instanceof Long until)) {
      return Optional.empty();
    }
    return Optional.of(Math.min(until, nowMillis + MAX_COOLDOWN_MILLIS));
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  private record Listener(BiConsumer<Object, Object> onCooldown)
      implements EntryAddedListener, EntryUpdatedListener {

    @Override
    public void entryAdded(EntryEvent event) {
      onCooldown.accept(event.getKey(), event.getValue());
    }

    @Override
    public void entryUpdated(EntryEvent event) {
      onCooldown.accept(event.getKey(), event.getValue());
    }
  }
}
