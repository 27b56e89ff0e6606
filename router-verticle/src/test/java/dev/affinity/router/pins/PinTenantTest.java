package dev.affinity.router.pins;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The tenant a pin is counted against: carried in its value, kept by the writes that change it, counted by views. */
class PinTenantTest {

  private static final String TENANT = "0123456789ab";

  private static PinStore.Write write(PinStore.Write.Kind kind, String scope, String stale, String tenant) {
    return new PinStore.Write(kind, scope, stale, 300, 0, tenant);
  }

  @Test
  void theTenantTravelsInTheValueWithAndWithoutCoOwners() {
    PinValue alone = new PinValue("d1", 5, 9_000, List.of(), TENANT);
    assertThat(PinValue.parse(alone.encode())).isEqualTo(alone);
    PinValue shared = new PinValue("d1", 0, 9_000, List.of("d2", "d3"), TENANT);
    assertThat(PinValue.parse(shared.encode())).isEqualTo(shared);
    PinValue none = new PinValue("d1", 0, 9_000, List.of("d2"));
    assertThat(PinValue.parse(none.encode())).isEqualTo(none);
    assertThat(none.encode()).as("a pin of no tenant is written as before").isEqualTo("d1\u00010\u00019000\u0001d2");
  }

  @Test
  void aPinKeepsTheTenantThatCreatedIt() {
    PinValue claimed = PinValue.after(write(PinStore.Write.Kind.CLAIM, "d1", null, TENANT), null, 1_000);
    assertThat(claimed.tenant()).isEqualTo(TENANT);
    PinValue added = PinValue.after(write(PinStore.Write.Kind.ADD_OWNER, "d2", null, "other"), claimed, 2_000);
    assertThat(added.owners()).containsExactly("d1", "d2");
    assertThat(added.tenant()).isEqualTo(TENANT);
    PinValue moved = PinValue.after(write(PinStore.Write.Kind.REPLACE, "d3", "d1", null), added, 3_000);
    assertThat(moved.owners()).containsExactly("d3", "d2");
    assertThat(moved.tenant()).isEqualTo(TENANT);
    PinValue refreshed = PinValue.after(write(PinStore.Write.Kind.REFRESH, "d3", null, null), moved, 9_000);
    assertThat(refreshed.tenant()).isEqualTo(TENANT);
  }

  @Test
  void countsFollowEachKeysChanges() {
    TenantPinCounts counts = new TenantPinCounts();
    PinValue ofA = new PinValue("d1", 0, 0, List.of(), "a");
    PinValue ofB = new PinValue("d1", 0, 0, List.of(), "b");
    counts.changed(null, ofA);
    counts.changed(null, ofA);
    counts.changed(ofA, new PinValue("d2", 0, 5, List.of(), "a"));
    assertThat(counts.of("a")).isEqualTo(2);
    counts.changed(ofA, ofB);
    assertThat(counts.of("a")).isEqualTo(1);
    assertThat(counts.of("b")).isEqualTo(1);
    counts.changed(ofA, null);
    counts.changed(ofB, null);
    assertThat(counts.of("a")).isZero();
    assertThat(counts.of("b")).isZero();
    assertThat(counts.of(null)).isZero();
  }
}
