package dev.affinity.router.pins;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;

import java.io.Serial;
import java.io.Serializable;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One kind of write to a set of pins, applied atomically per key on its partition owner; answers with the value each
 * key holds afterwards (see {@link PinValue}). Claims are write-if-absent (first writer wins cluster-wide),
 * replacements compare-and-set against the stale scope, refreshes extend the TTL of a pin that still names the same
 * scope, and {@code WARMED} ends the warm-up of a pin its claimant has started to be answered for. The same processor
 * runs on the backup, which holds the same value, so both stay equal.
 *
 * <p>It carries no per-key data, so Hazelcast ships a few dozen bytes to each partition whatever the number of keys;
 * the pin map sends one processor per kind of write (see {@link PinMap#apply}).
 *
 * @param warmingSince for claims and replacements, when the pin starts warming up; 0 to write it warm
 */
record PinWrite(Kind kind, String deployment, String stale, long ttlSeconds, long warmingSince)
    implements EntryProcessor<String, String, String>, Serializable {

  @Serial
  private static final long serialVersionUID = 3L;

  enum Kind { CLAIM, REPLACE, REFRESH, WARMED }

  PinWrite(Kind kind, String deployment, String stale, long ttlSeconds) {
    this(kind, deployment, stale, ttlSeconds, 0);
  }

  @Override
  public String process(Map.Entry<String, String> entry) {
    String current = entry.getValue();
    boolean ours = current != null && PinValue.scopeOf(current).equals(deployment);
    String value = switch (kind) {
      case CLAIM -> current == null ? PinValue.encode(deployment, warmingSince) : null;
      case REFRESH -> ours ? current : null;
      case REPLACE -> ours ? current
          : current == null || PinValue.scopeOf(current).equals(stale) ? PinValue.encode(deployment, warmingSince)
          : null;
      case WARMED -> ours ? deployment : null;
    };
    if (value == null) {
      return current;
    }
    @SuppressWarnings("unchecked")
    ExtendedMapEntry<String, String> pin = (ExtendedMapEntry<String, String>) entry;
    pin.setValue(value, ttlSeconds, TimeUnit.SECONDS);
    return value;
  }
}
