package dev.affinity.router.pins;

import dev.affinity.router.cache.CacheTtl;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The node's refreshes of pins, off the request path: a hit whose pin is due (see {@link PinLifetime#refreshDue})
 * offers it here and goes on; the refresher gathers what every request offers until its next flush, then writes each
 * key once, in one write per scope and TTL. A key whose refresh is on its way is not offered again.
 */
public final class PinRefresher {

  private static final Logger LOG = Logger.getLogger(PinRefresher.class.getName());

  private record Due(String scope, CacheTtl ttl) {
  }

  private final PinStore pins;
  private final Consumer<Runnable> later;
  private final Map<String, Due> offered = new ConcurrentHashMap<>();
  private final Set<String> sending = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean scheduled = new AtomicBoolean();

  /**
   * @param later runs the flush a little later, off the caller's path (a timer of the node's event loop, or an
   *              executor)
   */
  public PinRefresher(PinStore pins, Consumer<Runnable> later) {
    this.pins = pins;
    this.later = later;
  }

  /** Asks for {@code key}, pinned to {@code scope}, to be refreshed for a provider entry of {@code ttl}. */
  public void offer(String key, String scope, CacheTtl ttl) {
    if (sending.contains(key) || offered.putIfAbsent(key, new Due(scope, ttl)) != null) {
      return;
    }
    if (scheduled.compareAndSet(false, true)) {
      later.accept(this::flush);
    }
  }

  /** Writes what was offered since the last flush. */
  void flush() {
    scheduled.set(false);
    Map<PinStore.Write, Set<String>> writes = new HashMap<>();
    for (String key : Set.copyOf(offered.keySet())) {
      Due due = offered.remove(key);
      if (due != null && sending.add(key)) {
        writes.computeIfAbsent(new PinStore.Write(PinStore.Write.Kind.REFRESH, due.scope(), null,
            PinLifetime.seconds(due.ttl()), 0), write -> new HashSet<>()).add(key);
      }
    }
    if (writes.isEmpty()) {
      return;
    }
    pins.write(writes).whenComplete((found, failure) -> {
      writes.values().forEach(sending::removeAll);
      if (failure != null) {
        LOG.log(Level.WARNING, "pin refresh failed: " + failure.getMessage());
      }
    });
  }

  /** Keys offered and not yet written or being written. */
  int pending() {
    return offered.size() + sending.size();
  }
}
