package dev.affinity.router.pins;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The in-memory pin store keeps the pin map's rules: first writer wins, refreshes only extend, pins expire. */
class InMemoryPinStoreTest {

  private final AtomicLong now = new AtomicLong(1_000_000);
  private final InMemoryPinStore pins = new InMemoryPinStore(now::get);

  private PinStore.Found write(PinStore.Write.Kind kind, String scope, String stale, long ttlSeconds, String key) {
    return pins.write(Map.of(new PinStore.Write(kind, scope, stale, ttlSeconds, 0), Set.of(key)))
        .toCompletableFuture().join();
  }

  @Test
  void claimsAreFirstWriterWinsAndReplacementsCompareAndSet() {
    assertThat(write(PinStore.Write.Kind.CLAIM, "a", null, 300, "k").owners()).containsEntry("k", "a");
    assertThat(write(PinStore.Write.Kind.CLAIM, "b", null, 300, "k").owners()).containsEntry("k", "a");
    assertThat(write(PinStore.Write.Kind.REPLACE, "c", "b", 300, "k").owners()).containsEntry("k", "a");
    assertThat(write(PinStore.Write.Kind.REPLACE, "c", "a", 300, "k").owners()).containsEntry("k", "c");
    assertThat(pins.read(List.of("k", "other")).owners()).isEqualTo(Map.of("k", "c"));
  }

  @Test
  void refreshesExtendNeverShortenAndPinsExpire() {
    write(PinStore.Write.Kind.CLAIM, "a", null, 600, "k");
    assertThat(pins.read(List.of("k")).expiresAt()).containsEntry("k", 1_000_000 + 600_000L);
    int changes = pins.changes();
    // a shorter refresh (another node's, issued earlier) changes nothing
    write(PinStore.Write.Kind.REFRESH, "a", null, 300, "k");
    assertThat(pins.changes()).isEqualTo(changes);
    // a refresh for another scope does not take the pin
    write(PinStore.Write.Kind.REFRESH, "b", null, 900, "k");
    assertThat(pins.read(List.of("k")).owners()).containsEntry("k", "a");
    now.addAndGet(400_000);
    write(PinStore.Write.Kind.REFRESH, "a", null, 600, "k");
    assertThat(pins.read(List.of("k")).expiresAt()).containsEntry("k", 1_400_000 + 600_000L);
    now.addAndGet(600_000);
    assertThat(pins.read(List.of("k")).owners()).isEmpty();
    // an expired pin is free to claim again
    assertThat(write(PinStore.Write.Kind.CLAIM, "b", null, 300, "k").owners()).containsEntry("k", "b");
  }
}
