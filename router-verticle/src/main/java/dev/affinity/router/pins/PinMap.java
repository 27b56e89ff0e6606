package dev.affinity.router.pins;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.EntryView;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.MapEvent;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryEvictedListener;
import com.hazelcast.map.listener.EntryExpiredListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import com.hazelcast.map.listener.MapClearedListener;
import com.hazelcast.map.listener.MapEvictedListener;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The cluster's pins in a Hazelcast {@code IMap} named {@value #NAME} (configured in cluster.xml), with a node-local
 * view of the whole map.
 *
 * <p><b>Reads</b> come from the view, a {@link PinMirror} that the map's entry events keep up to date (every
 * member hears every write) and that this node's own writes update as soon as they are answered. A read is a few hash
 * lookups on the caller's thread, with no network round trip and no thread hand-off. <b>Writes</b> are entry
 * processors ({@link PinWrite}) run atomically on each key's partition owner, with a synchronous backup, so a claim is
 * first-writer-wins cluster-wide whatever any node's view said. A view that lags costs a claim that loses (and is
 * followed) or one request sent where the pin was a moment ago: at most one cache write, never two owners.
 * See docs/cluster.md for why this and not a Hazelcast near cache.
 */
public final class PinMap implements PinStore {

  public static final String NAME = "affinity.pins";

  private final IMap<String, String> map;
  private final PinMirror view = new PinMirror();
  private final LongSupplier clock;
  /** Keys written and events taken in: the cluster work pinned traffic causes, counted for the metrics. */
  private final LongAdder keysWritten = new LongAdder();
  private final LongAdder eventsHeard = new LongAdder();
  private UUID listener;

  private PinMap(HazelcastInstance hazelcast, LongSupplier clock) {
    PinProcessors.requireRegistered(hazelcast);
    this.map = hazelcast.getMap(NAME);
    this.clock = clock;
  }

  /**
   * Joins the map: listens to its events, then loads what it already holds into this node's view. Blocking (it
   * registers a listener on every member and reads the map): call from a worker. Refuses a member configured without
   * {@link PinProcessors}: it could not read other members' pin operations.
   */
  public static PinMap open(HazelcastInstance hazelcast) {
    PinMap pins = new PinMap(hazelcast, System::currentTimeMillis);
    pins.listener = pins.map.addEntryListener(pins.new Events(), true);
    // events that arrived while loading are newer than what the load read: they win
    pins.map.forEach((key, value) -> pins.view.load(key, PinValue.parse(value)));
    return pins;
  }

  /** Stops following the map's events. Blocking. */
  public void close() {
    if (listener != null) {
      map.removeEntryListener(listener);
      listener = null;
    }
    view.clear();
  }

  @Override
  public Found read(Collection<String> keys) {
    long now = clock.getAsLong();
    Map<String, PinValue> alive = new HashMap<>();
    for (String key : keys) {
      PinValue pin = view.get(key);
      if (pin != null && pin.aliveAt(now)) {
        alive.put(key, pin);
      }
    }
    return alive.isEmpty() ? Found.NOTHING : Found.of(alive);
  }

  @Override
  public CompletionStage<Found> write(Map<Write, Set<String>> writes) {
    if (writes.isEmpty()) {
      return CompletableFuture.completedFuture(Found.NOTHING);
    }
    long issuedAt = clock.getAsLong();
    List<CompletableFuture<Map<String, String>>> groups = new ArrayList<>();
    writes.forEach((write, keys) -> {
      keysWritten.add(keys.size());
      groups.add(map.submitToKeys(keys, new PinWrite(write, issuedAt)).toCompletableFuture());
    });
    return CompletableFuture.allOf(groups.toArray(CompletableFuture[]::new)).thenApply(done -> {
      Map<String, PinValue> after = new HashMap<>();
      Set<String> changed = new HashSet<>();
      groups.forEach(group -> group.join().forEach((key, answer) -> {
        String raw = answer;
        if (raw != null && !raw.isEmpty() && raw.charAt(0) == PinWrite.CHANGED) {
          changed.add(key);
          raw = raw.substring(1);
        }
        PinValue pin = raw == null ? null : PinValue.parse(raw);
        after.put(key, pin);
        if (pin == null) {
          view.hide(key, null);
        } else {
          view.show(key, pin);
        }
      }));
      return Found.of(after, changed);
    });
  }

  @Override
  public List<PinView> list(int limit) {
    List<PinView> pins = new ArrayList<>();
    long now = System.currentTimeMillis();
    for (String key : map.keySet()) {
      if (pins.size() >= limit) {
        break;
      }
      EntryView<String, String> entry = map.getEntryView(key);
      if (entry != null) {
        long left = entry.getExpirationTime() == Long.MAX_VALUE ? -1
            : Math.max(0, (entry.getExpirationTime() - now) / 1000);
        pins.add(new PinView(key, String.join(",", PinValue.parse(entry.getValue()).owners()), left, entry.getHits()));
      }
    }
    return pins;
  }

  @Override
  public int size() {
    return map.size();
  }

  /**
   * Pins whose primary copy this member holds, from its local statistics (no remote call): the sum over the members
   * is the cluster's pin count.
   */
  @Override
  public int ownedHere() {
    return (int) Math.min(Integer.MAX_VALUE, map.getLocalMapStats().getOwnedEntryCount());
  }

  @Override
  public void clear() {
    map.clear();
    view.clear();
  }

  @Override
  public long keysWritten() {
    return keysWritten.sum();
  }

  @Override
  public long eventsHeard() {
    return eventsHeard.sum();
  }

  /** From the view's counts: a hash lookup. Pins expired but not yet reported expired by the map still count. */
  @Override
  public long pinsOf(String tenant) {
    return view.pinsOf(tenant);
  }

  /** Pins in this node's view, expired ones not yet dropped included. */
  int viewSize() {
    return view.size();
  }

  /** Keeps the view equal to the map: Hazelcast delivers one key's events in order. */
  private final class Events implements EntryAddedListener<String, String>, EntryUpdatedListener<String, String>,
      EntryRemovedListener<String, String>, EntryExpiredListener<String, String>,
      EntryEvictedListener<String, String>, MapClearedListener, MapEvictedListener {

    @Override
    public void entryAdded(EntryEvent<String, String> event) {
      put(event);
    }

    @Override
    public void entryUpdated(EntryEvent<String, String> event) {
      put(event);
    }

    @Override
    public void entryRemoved(EntryEvent<String, String> event) {
      drop(event);
    }

    @Override
    public void entryExpired(EntryEvent<String, String> event) {
      drop(event);
    }

    @Override
    public void entryEvicted(EntryEvent<String, String> event) {
      drop(event);
    }

    @Override
    public void mapCleared(MapEvent event) {
      view.clear();
    }

    @Override
    public void mapEvicted(MapEvent event) {
      view.clear();
    }

    private void put(EntryEvent<String, String> event) {
      eventsHeard.increment();
      if (event.getValue() != null) {
        view.show(event.getKey(), PinValue.parse(event.getValue()));
      }
    }

    /** Drops the pin unless the view already holds a newer value than the one that went. */
    private void drop(EntryEvent<String, String> event) {
      eventsHeard.increment();
      String gone = event.getOldValue();
      view.hide(event.getKey(), gone == null ? null : PinValue.parse(gone));
    }
  }
}
