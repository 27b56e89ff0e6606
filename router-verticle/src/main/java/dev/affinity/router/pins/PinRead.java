package dev.affinity.router.pins;

import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;

import java.io.Serial;
import java.io.Serializable;
import java.util.Map;

/** Reads the deployment a prefix is pinned to, on the partition owner, without a backup round. */
final class PinRead implements EntryProcessor<String, String, String>, ReadOnly, Serializable {

  @Serial
  private static final long serialVersionUID = 1L;

  static final PinRead INSTANCE = new PinRead();

  @Override
  public String process(Map.Entry<String, String> entry) {
    return entry.getValue();
  }

  @Override
  public EntryProcessor<String, String, String> getBackupProcessor() {
    return null;
  }
}
