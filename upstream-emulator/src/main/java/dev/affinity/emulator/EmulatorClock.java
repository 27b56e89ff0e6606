package dev.affinity.emulator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The time cache entries and rate limits live by: a base clock plus an offset that tests (or the admin API) move
 * forward, so that expiry can be exercised without sleeping. Latency timers are unaffected: they are real Vert.x
 * timers.
 */
final class EmulatorClock {

  private final Clock base;
  private final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);

  EmulatorClock(Clock base) {
    this.base = Objects.requireNonNull(base, "base");
  }

  Instant now() {
    return base.instant().plus(offset.get());
  }

  void advance(Duration by) {
    if (by.isNegative()) {
      throw new IllegalArgumentException("the emulator clock only moves forward");
    }
    offset.accumulateAndGet(by, Duration::plus);
  }
}
