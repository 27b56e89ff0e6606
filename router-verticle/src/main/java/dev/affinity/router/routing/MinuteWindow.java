package dev.affinity.router.routing;

/** Sums over the last minute, in one-second slots (epoch milliseconds). Not thread-safe: callers synchronize. */
final class MinuteWindow {
  private final long[] seconds = new long[60];
  private final long[] amounts = new long[60];

  void add(long now, long amount) {
    long second = now / 1000;
    int slot = (int) (second % 60);
    if (seconds[slot] != second) {
      seconds[slot] = second;
      amounts[slot] = 0;
    }
    amounts[slot] += amount;
  }

  long sum(long now) {
    long second = now / 1000;
    long total = 0;
    for (int i = 0; i < 60; i++) {
      if (second - seconds[i] < 60) {
        total += amounts[i];
      }
    }
    return total;
  }
}
