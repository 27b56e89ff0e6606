package dev.affinity.router.tenancy;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Adds to counters of the limits map, atomically on each counter's partition owner, and only while under the limit:
 * this is what keeps a limit from being passed across the cluster. Per counter: the limit (0: none), the amount to
 * add, and the TTL to give the counter (0: keep none). A counter at or over its limit is left as it is and answered
 * with {@code -1 - value}; otherwise the value after adding. With amount 0 it only checks (tokens a minute and spend:
 * known after the answer, added then). Negative amounts take back (a refused request, an answer ended); a counter
 * that falls to 0 is removed.
 */
final class CounterCharge implements EntryProcessor<String, Long, Long>, IdentifiedDataSerializable {

  private Map<String, long[]> counters;

  /** For {@link TenancyProcessors}: Hazelcast reads the fields in. */
  CounterCharge() {
  }

  /** @param counters counter key to {limit, amount, ttl seconds} */
  CounterCharge(Map<String, long[]> counters) {
    this.counters = counters;
  }

  /** Whether a counter answered by {@link #process} refused. */
  static boolean refused(long answer) {
    return answer < 0;
  }

  @Override
  public Long process(Map.Entry<String, Long> entry) {
    long[] spec = counters.get(entry.getKey());
    long current = entry.getValue() == null ? 0 : entry.getValue();
    if (spec == null) {
      return current;
    }
    long limit = spec[0];
    long amount = spec[1];
    long ttl = spec[2];
    boolean over = limit > 0 && (amount == 0 ? current >= limit : amount > 0 && current + amount > limit);
    if (over) {
      return -1 - current;
    }
    if (amount == 0) {
      return current;
    }
    long next = Math.max(0, current + amount);
    @SuppressWarnings("unchecked")
    ExtendedMapEntry<String, Long> counter = (ExtendedMapEntry<String, Long>) entry;
    if (next == 0) {
      counter.setValue(null);
    } else if (ttl > 0) {
      counter.setValue(next, ttl, TimeUnit.SECONDS);
    } else {
      counter.setValue(next);
    }
    return next;
  }

  @Override
  public int getFactoryId() {
    return TenancyProcessors.FACTORY_ID;
  }

  @Override
  public int getClassId() {
    return TenancyProcessors.CHARGE;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeInt(counters.size());
    for (Map.Entry<String, long[]> counter : counters.entrySet()) {
      out.writeString(counter.getKey());
      out.writeLong(counter.getValue()[0]);
      out.writeLong(counter.getValue()[1]);
      out.writeLong(counter.getValue()[2]);
    }
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    int size = in.readInt();
    counters = new HashMap<>(size * 2);
    for (int i = 0; i < size; i++) {
      counters.put(in.readString(), new long[] {in.readLong(), in.readLong(), in.readLong()});
    }
  }
}
