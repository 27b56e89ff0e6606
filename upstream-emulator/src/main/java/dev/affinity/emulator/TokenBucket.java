package dev.affinity.emulator;

import java.time.Duration;
import java.time.Instant;

/**
 * A per-minute limit replenished continuously, the algorithm Anthropic documents for its rate limits: a bucket of
 * {@code capacity} that refills at {@code capacity} per minute.
 */
final class TokenBucket {

  private static final double NANOS_PER_MINUTE = 60e9;

  private final long capacity;
  private double available;
  private Instant updatedAt;

  TokenBucket(long capacity, Instant now) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1");
    }
    this.capacity = capacity;
    this.available = capacity;
    this.updatedAt = now;
  }

  long capacity() {
    return capacity;
  }

  /** Takes {@code amount} if available; otherwise takes nothing and answers how long until it would be. */
  synchronized Duration tryTake(long amount, Instant now) {
    refill(now);
    if (available >= amount) {
      available -= amount;
      return Duration.ZERO;
    }
    return durationFor(amount - available);
  }

  /** Takes {@code amount} unconditionally, down to an empty bucket (usage that was already served). */
  synchronized void take(long amount, Instant now) {
    refill(now);
    available = Math.max(0, available - amount);
  }

  synchronized long remaining(Instant now) {
    refill(now);
    return (long) Math.floor(available);
  }

  /** When the bucket will be full again. */
  synchronized Instant fullAt(Instant now) {
    refill(now);
    return now.plus(durationFor(capacity - available));
  }

  synchronized void refillCompletely(Instant now) {
    available = capacity;
    updatedAt = now;
  }

  private Duration durationFor(double missing) {
    return Duration.ofNanos((long) Math.ceil(missing / capacity * NANOS_PER_MINUTE));
  }

  private void refill(Instant now) {
    if (now.isAfter(updatedAt)) {
      double elapsedNanos = Duration.between(updatedAt, now).toNanos();
      available = Math.min(capacity, available + elapsedNanos / NANOS_PER_MINUTE * capacity);
      updatedAt = now;
    }
  }
}
