package dev.affinity.router.pins;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The pins of one process, without Hazelcast: the same writes with the same rules ({@link PinValue#after}), each key's
 * write atomic, on a {@link ConcurrentHashMap}. For routing policies and decisions under test, and benchmarks.
 */
public final class InMemoryPinStore implements PinStore {

  private final Map<String, PinValue> pins = new ConcurrentHashMap<>();
  private final LongSupplier clock;
  private final AtomicInteger changes = new AtomicInteger();

  /** @param clock epoch milliseconds; pins past their expiry are gone */
  public InMemoryPinStore(LongSupplier clock) {
    this.clock = clock;
  }

  public InMemoryPinStore() {
    this(System::currentTimeMillis);
  }

  @Override
  public Found read(Collection<String> keys) {
    long now = clock.getAsLong();
    Map<String, PinValue> alive = new HashMap<>();
    for (String key : keys) {
      PinValue pin = pins.get(key);
      if (pin != null && pin.aliveAt(now)) {
        alive.put(key, pin);
      }
    }
    return Found.of(alive);
  }

  @Override
  public CompletionStage<Found> write(Map<Write, Set<String>> writes) {
    long now = clock.getAsLong();
    Map<String, PinValue> after = new HashMap<>();
    Set<String> changed = new HashSet<>();
    writes.forEach((write, keys) -> keys.forEach(key -> after.put(key, pins.compute(key, (k, current) -> {
      PinValue alive = current != null && current.aliveAt(now) ? current : null;
      PinValue next = PinValue.after(write, alive, now);
      if (next != null) {
        changes.incrementAndGet();
        changed.add(key);
      }
      return next != null ? next : alive;
    }))));
    return CompletableFuture.completedFuture(Found.of(after, changed));
  }

  @Override
  public List<PinView> list(int limit) {
    long now = clock.getAsLong();
    List<PinView> views = new ArrayList<>();
    pins.forEach((key, pin) -> {
      if (views.size() < limit && pin.aliveAt(now)) {
        views.add(new PinView(key, String.join(",", pin.owners()), Math.max(0, (pin.expiresAt() - now) / 1000), 0));
      }
    });
    return views;
  }

  @Override
  public int size() {
    long now = clock.getAsLong();
    return (int) pins.values().stream().filter(pin -> pin.aliveAt(now)).count();
  }

  @Override
  public int ownedHere() {
    return size();
  }

  @Override
  public void clear() {
    pins.clear();
  }

  /** Exact: counts the tenant's live pins (a scan, for tests and policies at test scale). */
  @Override
  public long pinsOf(String tenant) {
    long now = clock.getAsLong();
    return tenant == null ? 0
        : pins.values().stream().filter(pin -> pin.aliveAt(now) && tenant.equals(pin.tenant())).count();
  }

  /** Removes the pin of {@code key}, as an eviction or an admin's removal would. */
  public void remove(String key) {
    pins.remove(key);
  }

  /** Key → scope of every live pin. */
  public Map<String, String> owners() {
    Map<String, String> owners = new HashMap<>();
    long now = clock.getAsLong();
    pins.forEach((key, pin) -> {
      if (pin.aliveAt(now)) {
        owners.put(key, pin.scope());
      }
    });
    return owners;
  }

  /** How many key writes changed a pin (claims won, refreshes that extended, replacements, warm-ups ended). */
  public int changes() {
    return changes.get();
  }
}
