package dev.affinity.router.tenancy;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The spend log on its way to the store. Each row is first written to a Hazelcast map with a synchronous backup
 * (entry id to row), and so survives the node that wrote it; every node then moves the rows its own partitions hold
 * to the store in batches, and removes them once written. When a node dies its backups become another node's
 * partitions, and that node writes them. A row written twice (the node died between the insert and the remove) is
 * kept once: the store skips an entry id it has.
 */
public final class SpendJournal {

  public static final String MAP = "affinity.spend-pending";
  static final int BATCH = 500;
  private static final Logger LOG = Logger.getLogger(SpendJournal.class.getName());

  private final IMap<String, String> pending;
  private final TenantStore store;

  public SpendJournal(HazelcastInstance hazelcast, TenantStore store) {
    this.pending = hazelcast.getMap(MAP);
    this.store = store;
  }

  /** Records a row; the returned stage completes once the row and its backup are held. */
  public java.util.concurrent.CompletionStage<Void> record(SpendRow row) {
    return pending.setAsync(row.entryId(), JsonObject.mapFrom(row).encode());
  }

  /**
   * Writes the rows this member's partitions hold to the store, a batch at a time, until none is left. Blocking:
   * on a worker.
   *
   * @return how many rows were written
   */
  public int flushBlocking() {
    int written = 0;
    while (true) {
      Set<String> local = pending.localKeySet();
      if (local.isEmpty()) {
        return written;
      }
      List<String> batch = new ArrayList<>(Math.min(BATCH, local.size()));
      for (Iterator<String> ids = local.iterator(); ids.hasNext() && batch.size() < BATCH; ) {
        batch.add(ids.next());
      }
      Map<String, String> rows = pending.getAll(new java.util.HashSet<>(batch));
      List<SpendRow> decoded = new ArrayList<>(rows.size());
      rows.forEach((id, json) -> {
        try {
          decoded.add(new JsonObject(json).mapTo(SpendRow.class));
        } catch (RuntimeException invalid) {
          LOG.warning("dropping an unreadable spend row " + id + ": " + invalid.getMessage());
        }
      });
      store.appendSpend(decoded);
      rows.keySet().forEach(pending::delete);
      written += rows.size();
      if (local.size() <= BATCH) {
        return written;
      }
    }
  }

  /** Rows not yet in the store, cluster-wide. */
  public int pendingBlocking() {
    return pending.size();
  }
}
