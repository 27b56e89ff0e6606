package dev.affinity.router.node;

/**
 * At most one warning per interval: what comes sooner is held back by the caller, which counts it into the next
 * line, so that a flood of the same event is a few lines, not one per event. Not thread-safe: its owner's lock guards
 * it.
 */
final class WarningPace {

  private final long intervalNanos;
  private long lastNanos;
  private boolean warned;

  WarningPace(long intervalNanos) {
    this.intervalNanos = intervalNanos;
  }

  /** Whether a warning was written before: the next one speaks of what happened "since the last warning". */
  boolean warned() {
    return warned;
  }

  /** Whether a warning may be written at {@code nowNanos}; when it may, it counts as written then. */
  boolean due(long nowNanos) {
    if (warned && nowNanos - lastNanos < intervalNanos) {
      return false;
    }
    warned = true;
    lastNanos = nowNanos;
    return true;
  }
}
