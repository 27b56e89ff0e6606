package dev.affinity.router.pins;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's copy of the pin map, and each tenant's pins in it. It is fed by two paths that are not ordered with each
 * other: the answers of this node's own writes, and the map's entry events (ordered per key among themselves). So an
 * event of an earlier write can arrive after a later write's answer; the copy keeps the newer of the two by the
 * values' {@link PinValue#version() version}, where the map's events alone would hold the older owner until the next
 * change of the key. Every change goes through {@link #show} and {@link #hide}, which keep the tenants' counts with it.
 */
final class PinMirror {

  private final Map<String, PinValue> pins = new ConcurrentHashMap<>();
  private final TenantPinCounts tenants = new TenantPinCounts();

  PinValue get(String key) {
    return pins.get(key);
  }

  /** Holds {@code pin} for {@code key}, unless what it holds is a later value of the key. */
  void show(String key, PinValue pin) {
    pins.compute(key, (k, before) -> {
      if (before != null && pin.olderThan(before)) {
        return before;
      }
      tenants.changed(before, pin);
      return pin;
    });
  }

  /** Holds {@code pin} for {@code key} if it holds nothing: the map's contents when joining, older than any event. */
  void load(String key, PinValue pin) {
    pins.computeIfAbsent(key, absent -> {
      tenants.changed(null, pin);
      return pin;
    });
  }

  /** Forgets {@code key} if it holds {@code gone} (anything, when null): a newer value than the one that went stays. */
  void hide(String key, PinValue gone) {
    pins.computeIfPresent(key, (k, before) -> {
      if (gone != null && !gone.equals(before)) {
        return before;
      }
      tenants.changed(before, null);
      return null;
    });
  }

  void clear() {
    pins.clear();
    tenants.clear();
  }

  /** Pins held, expired ones not yet reported gone included. */
  int size() {
    return pins.size();
  }

  long pinsOf(String tenant) {
    return tenants.of(tenant);
  }
}
