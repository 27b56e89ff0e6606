package dev.affinity.router.routing;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many background responses a node reads back itself at once ({@link BackgroundResponses}), whichever of its
 * routers owes them: each holds a timer and its call, so a flood of abandoned background responses cannot fill the
 * heap, however many event loops the node has. Past the bound only clients' reads book the newest ones. Shared by
 * the node's routers; thread-safe.
 */
final class BackgroundChecks {

  /** The cluster's map holds at most 100,000 calls per node (cluster.xml): more checks than that would find little. */
  static final int MAX = 50_000;

  private final int max;
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicBoolean warned = new AtomicBoolean();

  BackgroundChecks() {
    this(MAX);
  }

  BackgroundChecks(int max) {
    this.max = max;
  }

  /** Takes a place for one more check; false when the node is full. */
  boolean take() {
    if (running.incrementAndGet() <= max) {
      return true;
    }
    running.decrementAndGet();
    return false;
  }

  /** A check is over; below half the bound, a new flood is warned about again. */
  void release() {
    if (running.decrementAndGet() < max / 2) {
      warned.set(false);
    }
  }

  /** Whether the caller is the first to find the node full since it last had room: it warns, once. */
  boolean firstToFindItFull() {
    return warned.compareAndSet(false, true);
  }

  int max() {
    return max;
  }
}
