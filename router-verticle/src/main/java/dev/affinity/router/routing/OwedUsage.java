package dev.affinity.router.routing;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The background responses whose usage is still to be booked, by the id the client has: the call that made one is
 * booked when the response is first read back finished (retrieved with its usage, or cancelled), by whichever node
 * serves that read, once in the whole cluster. An entry is kept for {@link #KEPT}: a response first read back later
 * than that has its usage booked nowhere.
 */
public interface OwedUsage {

  /**
   * How long a background response's call waits for its usage. Clients poll a background response until it is done,
   * typically within minutes; a day bounds what an abandoned one holds.
   */
  Duration KEPT = Duration.ofHours(24);

  /** Notes that the background response {@code responseId} owes its call's usage. Fire and forget. */
  void owe(String responseId, BackgroundCall call);

  /** Whether {@code responseId} still owes its call's usage: no read has booked it yet. */
  CompletionStage<Boolean> owes(String responseId);

  /**
   * Takes the call {@code responseId} owes, once: empty when it owes none (not a background response of ours, booked
   * already, past {@link #KEPT}, or not a value this node would have written).
   */
  CompletionStage<Optional<BackgroundCall>> settle(String responseId);

  /** One process's, without a cluster and without expiry: for a router under test. */
  static OwedUsage inMemory() {
    Map<String, BackgroundCall> owed = new ConcurrentHashMap<>();
    return new OwedUsage() {
      @Override
      public void owe(String responseId, BackgroundCall call) {
        owed.put(responseId, call);
      }

      @Override
      public CompletionStage<Boolean> owes(String responseId) {
        return CompletableFuture.completedFuture(owed.containsKey(responseId));
      }

      @Override
      public CompletionStage<Optional<BackgroundCall>> settle(String responseId) {
        return CompletableFuture.completedFuture(Optional.ofNullable(owed.remove(responseId)));
      }
    };
  }
}
