package dev.affinity.router.pins;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;

import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * One kind of write to a set of pins, applied atomically per key on its partition owner; answers with the value each
 * key holds afterwards (see {@link PinValue}). Claims are write-if-absent (first writer wins cluster-wide),
 * replacements compare-and-set against the stale scope, refreshes extend the TTL of a pin that still names the same
 * scope, and {@code WARMED} ends the warm-up of a pin its claimant has started to be answered for. The same processor
 * runs on the backup, which holds the same value, so both stay equal.
 *
 * <p>It carries no per-key data, so Hazelcast ships a few dozen bytes to each partition whatever the number of keys;
 * the pin map sends one processor per kind of write (see {@link PinMap#apply}). Its wire form is written by hand
 * (see {@link PinProcessors}). It is a class rather than a record because Hazelcast reads the fields into an instance
 * the factory made; the equality the pin map groups keys by is written out below.
 */
final class PinWrite implements EntryProcessor<String, String, String>, IdentifiedDataSerializable {

  /** Sent by ordinal: add new kinds at the end, never reorder, or members of two versions misread each other. */
  enum Kind { CLAIM, REPLACE, REFRESH, WARMED, ADD_OWNER }

  private static final Kind[] KINDS = Kind.values();

  private Kind kind;
  private String deployment;
  private String stale;
  private long ttlSeconds;
  private long warmingSince;

  /** For {@link PinProcessors}: Hazelcast reads the fields in. */
  PinWrite() {
  }

  /**
   * @param stale        for replacements, the scope the pin may be taken from
   * @param warmingSince for claims and replacements, when the pin starts warming up; 0 to write it warm
   */
  PinWrite(Kind kind, String deployment, String stale, long ttlSeconds, long warmingSince) {
    this.kind = Objects.requireNonNull(kind, "kind");
    this.deployment = Objects.requireNonNull(deployment, "deployment");
    this.stale = stale;
    this.ttlSeconds = ttlSeconds;
    this.warmingSince = warmingSince;
  }

  PinWrite(Kind kind, String deployment, String stale, long ttlSeconds) {
    this(kind, deployment, stale, ttlSeconds, 0);
  }

  @Override
  public String process(Map.Entry<String, String> entry) {
    String current = entry.getValue();
    PinValue pin = current == null ? null : PinValue.parse(current);
    boolean ours = pin != null && pin.ownedBy(deployment);
    String value = switch (kind) {
      case CLAIM -> pin == null ? PinValue.encode(deployment, warmingSince) : null;
      case REFRESH -> ours ? current : null;
      // a failed owner's place goes to the deployment that takes over; other owners keep theirs
      case REPLACE -> ours ? (stale != null && pin.ownedBy(stale) ? pin.replacing(stale, deployment).encode() : current)
          : pin == null ? PinValue.encode(deployment, warmingSince)
          : pin.ownedBy(stale) ? replaced(pin) : null;
      case WARMED -> ours && pin.warming() ? pin.warm().encode() : ours ? current : null;
      // one more deployment holds the prefix now: it wrote it for a session placed there by load
      case ADD_OWNER -> pin == null ? PinValue.encode(deployment, 0) : pin.withOwner(deployment).encode();
    };
    if (value == null) {
      return current;
    }
    @SuppressWarnings("unchecked")
    ExtendedMapEntry<String, String> written = (ExtendedMapEntry<String, String>) entry;
    written.setValue(value, ttlSeconds, TimeUnit.SECONDS);
    return value;
  }

  /** A sole stale owner hands over warming (its replacement writes the cache entry); among others, warm as they are. */
  private String replaced(PinValue pin) {
    PinValue next = pin.replacing(stale, deployment);
    return next.owners().size() == 1 ? PinValue.encode(deployment, warmingSince) : next.encode();
  }

  /** The scope this write is made for. */
  String deployment() {
    return deployment;
  }

  @Override
  public int getFactoryId() {
    return PinProcessors.FACTORY_ID;
  }

  @Override
  public int getClassId() {
    return PinProcessors.WRITE;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeByte(kind.ordinal());
    out.writeString(deployment);
    out.writeString(stale);
    out.writeLong(ttlSeconds);
    out.writeLong(warmingSince);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    kind = KINDS[in.readByte()];
    deployment = in.readString();
    stale = in.readString();
    ttlSeconds = in.readLong();
    warmingSince = in.readLong();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof PinWrite write && kind == write.kind && deployment.equals(write.deployment)
        && Objects.equals(stale, write.stale) && ttlSeconds == write.ttlSeconds && warmingSince == write.warmingSince;
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, deployment, stale, ttlSeconds, warmingSince);
  }

  @Override
  public String toString() {
    return "PinWrite[" + kind + " " + deployment + (stale != null ? " over " + stale : "") + ", ttl " + ttlSeconds
        + " s" + (warmingSince > 0 ? ", warming since " + warmingSince : "") + "]";
  }
}
