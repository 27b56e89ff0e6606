package dev.affinity.router.pins;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A node's copy of the pins, fed by its writes' answers and by the map's events, in whatever order they arrive. */
class PinMirrorTest {

  private static final String KEY = "k";
  private static final String TENANT = "0123456789ab";

  private static PinStore.Write write(PinStore.Write.Kind kind, String scope, String stale) {
    return new PinStore.Write(kind, scope, stale, 300, 0, TENANT);
  }

  @Test
  void anEventOfAnEarlierWriteArrivingAfterALaterWritesAnswerDoesNotTakeThePinBack() {
    PinMirror mirror = new PinMirror();
    PinValue claimed = PinValue.after(write(PinStore.Write.Kind.CLAIM, "d1", null), null, 1_000);
    PinValue refreshed = PinValue.after(write(PinStore.Write.Kind.REFRESH, "d1", null), claimed, 2_000);
    PinValue moved = PinValue.after(write(PinStore.Write.Kind.REPLACE, "d2", "d1"), refreshed, 2_000);
    mirror.show(KEY, claimed);
    // the failover's re-point is answered while the refresh's event is still on its way
    mirror.show(KEY, moved);
    mirror.show(KEY, refreshed);
    assertThat(mirror.get(KEY)).isEqualTo(moved);
    // then the re-point's own event
    mirror.show(KEY, moved);
    assertThat(mirror.get(KEY).owners()).containsExactly("d2");
    assertThat(mirror.pinsOf(TENANT)).isEqualTo(1);
    // nor does the late removal of a value it no longer holds
    mirror.hide(KEY, refreshed);
    assertThat(mirror.get(KEY)).isEqualTo(moved);
    mirror.hide(KEY, moved);
    assertThat(mirror.get(KEY)).isNull();
    assertThat(mirror.pinsOf(TENANT)).isZero();
  }

  @Test
  void eachChangeOfAKeyComesAfterTheLastEvenWithinOneMillisecondOrFromASlowerClock() {
    PinValue claimed = PinValue.after(new PinStore.Write(PinStore.Write.Kind.CLAIM, "d1", null, 300, 5_000, TENANT),
        null, 5_000);
    PinValue warmed = PinValue.after(write(PinStore.Write.Kind.WARMED, "d1", null), claimed, 5_000);
    PinValue added = PinValue.after(write(PinStore.Write.Kind.ADD_OWNER, "d2", null), warmed, 4_000);
    assertThat(claimed.version()).isEqualTo(5_000);
    assertThat(claimed.olderThan(warmed)).isTrue();
    assertThat(warmed.olderThan(added)).as("a writer whose clock is behind still writes a later value").isTrue();
    assertThat(added.olderThan(claimed)).isFalse();
    // the backup applies the same write to the same value: the same version, so both copies stay equal
    assertThat(PinValue.after(write(PinStore.Write.Kind.ADD_OWNER, "d2", null), warmed, 4_000)).isEqualTo(added);
    // a write that changes nothing leaves the version where it was
    assertThat(PinValue.after(write(PinStore.Write.Kind.CLAIM, "d3", null), added, 9_000)).isNull();
  }

  @Test
  void aPinClaimedAgainAfterItsExpiryReplacesTheOldOne() {
    PinMirror mirror = new PinMirror();
    PinValue old = PinValue.after(write(PinStore.Write.Kind.CLAIM, "d1", null), null, 1_000);
    mirror.show(KEY, old);
    PinValue again = PinValue.after(write(PinStore.Write.Kind.CLAIM, "d2", null), null, old.expiresAt() + 1_000);
    mirror.show(KEY, again);
    assertThat(mirror.get(KEY)).isEqualTo(again);
  }

  @Test
  void theVersionTravelsInTheValueAndValuesWithoutOneAreTakenInArrivalOrder() {
    PinValue versioned = new PinValue("d1", 0, 9_000, List.of("d2"), null, 1_234);
    assertThat(PinValue.parse(versioned.encode())).isEqualTo(versioned);
    PinValue withTenant = new PinValue("d1", 7, 9_000, List.of(), TENANT, 1_235);
    assertThat(PinValue.parse(withTenant.encode())).isEqualTo(withTenant);
    assertThat(PinValue.parse("d1\u00010\u00019000\u0001\u0001\u0001-5").version()).as("validated").isZero();
    assertThat(PinValue.parse("d1\u00010\u00019000\u0001\u0001\u0001x")).isEqualTo(new PinValue("d1", 0, 0));

    PinMirror mirror = new PinMirror();
    mirror.show(KEY, versioned);
    PinValue unversioned = PinValue.parse("d3\u00010\u00019000");
    mirror.show(KEY, unversioned);
    assertThat(mirror.get(KEY)).as("written before versions: not ordered, so taken").isEqualTo(unversioned);
    mirror.load(KEY, versioned);
    assertThat(mirror.get(KEY)).as("what the map held on joining never replaces an event").isEqualTo(unversioned);
  }
}
