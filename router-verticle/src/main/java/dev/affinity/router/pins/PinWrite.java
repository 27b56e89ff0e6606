package dev.affinity.router.pins;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;

import java.io.Serial;
import java.io.Serializable;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One kind of write to a set of pins, applied atomically per key on its partition owner; answers with the deployment
 * each key holds afterwards. Claims are write-if-absent (first writer wins cluster-wide), replacements
 * compare-and-set against the stale deployment, refreshes extend the TTL of a pin that still points to the same
 * deployment. The same processor runs on the backup, which holds the same value, so both stay equal.
 *
 * <p>It carries no per-key data, so Hazelcast ships a few dozen bytes to each partition whatever the number of keys;
 * the pin map sends one processor per kind of write (see {@link PinMap#apply}).
 */
record PinWrite(Kind kind, String deployment, String stale, long ttlSeconds)
    implements EntryProcessor<String, String, String>, Serializable {

  @Serial
  private static final long serialVersionUID = 2L;

  enum Kind { CLAIM, REPLACE, REFRESH }

  @Override
  public String process(Map.Entry<String, String> entry) {
    String current = entry.getValue();
    boolean write = switch (kind) {
      case CLAIM, REFRESH -> current == null ? kind == Kind.CLAIM : current.equals(deployment);
      case REPLACE -> current == null || current.equals(stale) || current.equals(deployment);
    };
    if (!write) {
      return current;
    }
    @SuppressWarnings("unchecked")
    ExtendedMapEntry<String, String> pin = (ExtendedMapEntry<String, String>) entry;
    pin.setValue(deployment, ttlSeconds, TimeUnit.SECONDS);
    return deployment;
  }
}
