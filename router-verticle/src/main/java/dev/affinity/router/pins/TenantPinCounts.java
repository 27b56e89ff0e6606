package dev.affinity.router.pins;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many pins of each tenant a view holds, kept by the view's own changes: each change of a key's pin from
 * {@code before} to {@code after} moves one pin between their tenants. Read by the quota check in a hash lookup.
 */
final class TenantPinCounts {

  private final Map<String, Long> counts = new ConcurrentHashMap<>();

  /** One key's pin went from {@code before} to {@code after} (null: absent). */
  void changed(PinValue before, PinValue after) {
    String was = before == null ? null : before.tenant();
    String is = after == null ? null : after.tenant();
    if (Objects.equals(was, is)) {
      return;
    }
    add(was, -1);
    add(is, 1);
  }

  long of(String tenant) {
    return tenant == null ? 0 : counts.getOrDefault(tenant, 0L);
  }

  void clear() {
    counts.clear();
  }

  private void add(String tenant, long delta) {
    if (tenant != null) {
      // a tenant with no pin left takes no room
      counts.merge(tenant, delta, (count, more) -> count + more == 0 ? null : count + more);
    }
  }
}
