package dev.affinity.router.pins;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;

import java.io.Serial;
import java.io.Serializable;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Applies a routing decision's writes to the pin map, each key atomically on its partition owner, and answers with
 * the deployment each key holds afterwards. Claims are write-if-absent (first writer wins cluster-wide),
 * replacements compare-and-set against the stale deployment, refreshes extend the TTL of a pin that still points to
 * the same deployment. The same processor runs on the backup, which holds the same value, so both stay equal.
 */
final class PinWrite implements EntryProcessor<String, String, String>, Serializable {

  @Serial
  private static final long serialVersionUID = 1L;

  enum Kind { CLAIM, REPLACE, REFRESH }

  /** One key's write: pin it to {@code deployment} for {@code ttlSeconds}. */
  record Op(Kind kind, String deployment, String stale, long ttlSeconds) implements Serializable {
  }

  private final Map<String, Op> ops;

  PinWrite(Map<String, Op> ops) {
    this.ops = ops;
  }

  @Override
  public String process(Map.Entry<String, String> entry) {
    Op op = ops.get(entry.getKey());
    if (op == null) {
      return entry.getValue();
    }
    String current = entry.getValue();
    boolean write = switch (op.kind()) {
      case CLAIM, REFRESH -> current == null ? op.kind() == Kind.CLAIM : current.equals(op.deployment());
      case REPLACE -> current == null || current.equals(op.stale()) || current.equals(op.deployment());
    };
    if (!write) {
      return current;
    }
    @SuppressWarnings("unchecked")
    ExtendedMapEntry<String, String> pin = (ExtendedMapEntry<String, String>) entry;
    pin.setValue(op.deployment(), op.ttlSeconds(), TimeUnit.SECONDS);
    return op.deployment();
  }
}
