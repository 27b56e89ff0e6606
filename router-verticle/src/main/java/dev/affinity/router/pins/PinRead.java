package dev.affinity.router.pins;

import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;

import java.util.Map;

/**
 * Reads the deployment a prefix is pinned to, on the partition owner, without a backup round. Stateless: on the wire
 * it is only its ids (see {@link PinProcessors}).
 */
final class PinRead implements EntryProcessor<String, String, String>, ReadOnly, IdentifiedDataSerializable {

  static final PinRead INSTANCE = new PinRead();

  private PinRead() {
  }

  @Override
  public String process(Map.Entry<String, String> entry) {
    return entry.getValue();
  }

  @Override
  public EntryProcessor<String, String, String> getBackupProcessor() {
    return null;
  }

  @Override
  public int getFactoryId() {
    return PinProcessors.FACTORY_ID;
  }

  @Override
  public int getClassId() {
    return PinProcessors.READ;
  }

  @Override
  public void writeData(ObjectDataOutput out) {
  }

  @Override
  public void readData(ObjectDataInput in) {
  }
}
