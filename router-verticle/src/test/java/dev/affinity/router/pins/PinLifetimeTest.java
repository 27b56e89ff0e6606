package dev.affinity.router.pins;

import dev.affinity.router.cache.CacheTtl;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The slack a pin carries over its provider entry, the rule that says when a hit refreshes it, and the refresher. */
class PinLifetimeTest {

  private static final long MINUTE = 60_000;

  @Test
  void aPinIsWrittenForTheTtlAndItsSlack() {
    assertThat(PinLifetime.seconds(CacheTtl.FIVE_MINUTES)).isEqualTo(600);
    assertThat(PinLifetime.seconds(CacheTtl.ONE_HOUR)).isEqualTo(7200);
  }

  @Test
  void aRefreshIsDueOnlyWhenLessThanTheTtlAndHalfTheSlackIsLeft() {
    long now = 10 * MINUTE;
    CacheTtl five = CacheTtl.FIVE_MINUTES;
    assertThat(PinLifetime.refreshDue(now + 10 * MINUTE, now, five)).isFalse(); // just written
    assertThat(PinLifetime.refreshDue(now + 7 * MINUTE + 31_000, now, five)).isFalse();
    assertThat(PinLifetime.refreshDue(now + 7 * MINUTE + 29_000, now, five)).isTrue();
    assertThat(PinLifetime.refreshDue(now + MINUTE, now, five)).isTrue();
    assertThat(PinLifetime.refreshDue(0, now, five)).as("expiry unknown").isTrue();
    assertThat(PinLifetime.refreshDue(now + 80 * MINUTE, now, CacheTtl.ONE_HOUR)).isTrue();
    assertThat(PinLifetime.refreshDue(now + 100 * MINUTE, now, CacheTtl.ONE_HOUR)).isFalse();
    assertThat(PinLifetime.refreshDue(now + 100 * MINUTE, now, five)).isFalse();
  }

  /**
   * Hits at random moments, each refreshing only when due, with the refresh landing up to a second later: the pin
   * never expires while the provider's entry, extended by every hit, is alive, and most hits write nothing.
   */
  @Test
  void thePinOutlivesTheProviderEntryWithFewWrites() {
    SplittableRandom random = new SplittableRandom(11);
    CacheTtl ttl = CacheTtl.FIVE_MINUTES;
    long now = 0;
    long pinExpires = PinLifetime.seconds(ttl) * 1000;
    long entryExpires = ttl.duration().toMillis();
    long refreshLandsAt = -1;
    int hits = 0;
    int writes = 0;
    while (now < 600 * MINUTE) {
      // a busy session: a hit every 1 to 60 s, always within the entry's TTL, so the entry stays alive
      now += random.nextLong(1000, MINUTE);
      if (refreshLandsAt >= 0 && refreshLandsAt <= now) {
        pinExpires = refreshLandsAt + PinLifetime.seconds(ttl) * 1000 - 1000;
        refreshLandsAt = -1;
      }
      assertThat(pinExpires).as("pin alive at a hit on a live entry").isGreaterThan(now);
      hits++;
      entryExpires = now + ttl.duration().toMillis();
      if (refreshLandsAt < 0 && PinLifetime.refreshDue(pinExpires, now, ttl)) {
        refreshLandsAt = now + 1000;
        writes++;
      }
      assertThat(Math.max(pinExpires, refreshLandsAt < 0 ? 0 : refreshLandsAt + PinLifetime.seconds(ttl) * 1000
          - 1000)).as("pin outlives the entry").isGreaterThan(entryExpires);
    }
    assertThat(writes).isLessThan(hits / 3);
  }

  @Test
  void theRefresherWritesEachDueKeyOnceOffThePath() {
    AtomicLong clock = new AtomicLong(1_000_000);
    InMemoryPinStore pins = new InMemoryPinStore(clock::get);
    pins.write(Map.of(new PinStore.Write(PinStore.Write.Kind.CLAIM, "a", null, 600, 0), Set.of("k1", "k2")))
        .toCompletableFuture().join();
    List<Runnable> scheduled = new ArrayList<>();
    PinRefresher refresher = new PinRefresher(pins, scheduled::add);
    int before = pins.changes();
    for (int request = 0; request < 50; request++) {
      refresher.offer("k1", "a", CacheTtl.FIVE_MINUTES);
      refresher.offer("k2", "a", CacheTtl.FIVE_MINUTES);
    }
    // nothing is written on the callers' path, and one flush is scheduled for all of them
    assertThat(pins.changes()).isEqualTo(before);
    assertThat(scheduled).hasSize(1);
    clock.addAndGet(5 * MINUTE);
    scheduled.get(0).run();
    assertThat(pins.changes()).isEqualTo(before + 2);
    assertThat(pins.read(List.of("k1")).expiresAt()).containsEntry("k1", clock.get() + 600_000);
    assertThat(refresher.pending()).isZero();
    // a refresh offered for a pin that moved to another scope does not take it back
    pins.write(Map.of(new PinStore.Write(PinStore.Write.Kind.REPLACE, "b", "a", 600, 0), Set.of("k2")))
        .toCompletableFuture().join();
    refresher.offer("k2", "a", CacheTtl.FIVE_MINUTES);
    scheduled.get(1).run();
    assertThat(pins.read(List.of("k2")).owners()).containsEntry("k2", "b");
  }
}
