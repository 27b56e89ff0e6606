package dev.affinity.router.pins;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;

import java.io.EOFException;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * One kind of write to a set of pins ({@link PinStore.Write}), applied atomically per key on its partition owner;
 * answers with the value each key holds afterwards (see {@link PinValue}), behind {@link #CHANGED} when this write
 * changed it. What each kind does is
 * {@link PinValue#after}. The same processor runs on the backup, which holds the same value, so both stay equal: the
 * expiry written is computed from {@code issuedAt}, the time the writing node issued the write, not from either
 * member's clock.
 *
 * <p>It carries no per-key data, so Hazelcast ships a few dozen bytes to each partition whatever the number of keys;
 * the pin map sends one processor per kind of write (see {@link PinMap#write}). Its wire form is written by hand
 * (see {@link PinProcessors}). It is a class rather than a record because Hazelcast reads the fields into an instance
 * the factory made.
 */
final class PinWrite implements EntryProcessor<String, String, String>, IdentifiedDataSerializable {

  /** Sent by ordinal: add new kinds at the end, never reorder, or members of two versions misread each other. */
  enum Kind { CLAIM, REPLACE, REFRESH, WARMED, ADD_OWNER, RELEASE, TAKE }

  /**
   * Marks an answer this write changed: the only way a writer can tell a claim it won from one another request of the
   * same scope won a moment before (their values may be equal to the millisecond).
   */
  static final char CHANGED = '\u0002';

  private static final PinStore.Write.Kind[] KINDS = PinStore.Write.Kind.values();

  private PinStore.Write write;
  private long issuedAt;

  /** For {@link PinProcessors}: Hazelcast reads the fields in. */
  PinWrite() {
  }

  PinWrite(PinStore.Write write, long issuedAt) {
    this.write = Objects.requireNonNull(write, "write");
    this.issuedAt = issuedAt;
  }

  /**
   * @param stale        for replacements, the scope the pin may be taken from
   * @param warmingSince for claims and replacements, when the pin starts warming up; 0 to write it warm
   */
  PinWrite(Kind kind, String deployment, String stale, long ttlSeconds, long warmingSince) {
    this(new PinStore.Write(KINDS[kind.ordinal()], deployment, stale, ttlSeconds, warmingSince),
        System.currentTimeMillis());
  }

  PinWrite(Kind kind, String deployment, String stale, long ttlSeconds) {
    this(kind, deployment, stale, ttlSeconds, 0);
  }

  @Override
  public String process(Map.Entry<String, String> entry) {
    String current = entry.getValue();
    PinValue next = PinValue.after(write, current == null ? null : PinValue.parse(current), issuedAt);
    if (next == null) {
      return current;
    }
    String value = next.encode();
    long ttlMillis = Math.max(1000, next.expiresAt() - System.currentTimeMillis());
    @SuppressWarnings("unchecked")
    ExtendedMapEntry<String, String> pin = (ExtendedMapEntry<String, String>) entry;
    pin.setValue(value, (ttlMillis + 999) / 1000, TimeUnit.SECONDS);
    return CHANGED + value;
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
    out.writeByte(write.kind().ordinal());
    out.writeString(write.scope());
    out.writeString(write.stale());
    out.writeLong(write.ttlSeconds());
    out.writeLong(write.warmingSince());
    out.writeLong(issuedAt);
    out.writeString(write.tenant());
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    int ordinal = in.readByte();
    if (ordinal < 0 || ordinal >= KINDS.length) {
      // a member of a later version, or not a member of ours: refused, never an index out of bounds
      throw new IOException("unknown pin write kind " + ordinal);
    }
    PinStore.Write.Kind kind = KINDS[ordinal];
    String scope = in.readString();
    String stale = in.readString();
    long ttlSeconds = in.readLong();
    long warmingSince = in.readLong();
    issuedAt = in.readLong();
    String tenant;
    try {
      tenant = in.readString();
    } catch (EOFException olderMember) {
      // written by a member from before pin quotas, which sends no tenant (and skips the one it is sent)
      tenant = null;
    }
    write = new PinStore.Write(kind, scope, stale, ttlSeconds, warmingSince, tenant);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof PinWrite that && write.equals(that.write) && issuedAt == that.issuedAt;
  }

  @Override
  public int hashCode() {
    return Objects.hash(write, issuedAt);
  }

  @Override
  public String toString() {
    return "PinWrite[" + write.kind() + " " + write.scope() + (write.stale() != null ? " over " + write.stale() : "")
        + ", ttl " + write.ttlSeconds() + " s" + (write.warmingSince() > 0 ? ", warming since "
        + write.warmingSince() : "") + (write.tenant() != null ? ", tenant " + write.tenant() : "")
        + ", issued at " + issuedAt + "]";
  }
}
