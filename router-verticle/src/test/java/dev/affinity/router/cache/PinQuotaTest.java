package dev.affinity.router.cache;

import dev.affinity.model.RouteKind;
import dev.affinity.router.pins.InMemoryPinStore;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The per-tenant pin quota, decided and written as the affinity policy does, on the in-memory pin store. */
class PinQuotaTest {

  private static final Set<String> THREE = new LinkedHashSet<>(List.of("d0", "d1", "d2"));
  private static final String A = PinQuota.tag("key:a");
  private static final String B = PinQuota.tag("team:b");

  private final AtomicLong clock = new AtomicLong(1_000_000);
  private final InMemoryPinStore pins = new InMemoryPinStore(clock::get);

  /** Turn {@code n} of session {@code session} of {@code tenant}: its prompt's keys are scoped by both. */
  private static PrefixChain turn(String tenant, int session, int n) {
    return PrefixChain.ofMessages(new AgentConversation().request(n), tenant + "/" + session);
  }

  /** Decides, applies the quota and writes the claims, as {@code CacheAffinityPolicy} does. */
  private AffinityDecision route(PinQuota quota, String tenant, PrefixChain chain) {
    LookupPlan lookup = LookupPlan.of(chain);
    AffinityDecision placed = AffinityDecision.decide(lookup, PinPlan.of(chain, 1024),
        pins.read(lookup.keys()).owners(), THREE, () -> "d1");
    AffinityDecision decision = quota.apply(placed, pins.pinsOf(tenant));
    pins.applyClaims(decision, 0, tenant).toCompletableFuture().join();
    return decision;
  }

  @Test
  void aTenantAtItsQuotaClaimsNothingNewWhileAnotherStillPinsAndFollows() {
    PinQuota quota = new PinQuota(10);
    int perSession = route(PinQuota.UNLIMITED, "probe", turn("probe", 0, 1)).claims().size();
    assertThat(perSession).as("a first turn claims several prefixes").isGreaterThan(1);
    pins.clear();

    int session = 0;
    while (pins.pinsOf(A) < quota.max()) {
      assertThat(route(quota, A, turn("a", session++, 1)).kind()).isEqualTo(RouteKind.CLAIMED);
    }
    long held = pins.pinsOf(A);
    // below the quota a request's claims go whole: the overshoot is less than one request's claims
    assertThat(held).isLessThan(quota.max() + perSession);

    AffinityDecision over = route(quota, A, turn("a", session, 1));
    assertThat(over.kind()).isEqualTo(RouteKind.UNPINNED);
    assertThat(over.claims()).isEmpty();
    assertThat(over.deploymentId()).as("the strategy's choice stands").isEqualTo("d1");
    assertThat(pins.pinsOf(A)).isEqualTo(held);
    assertThat(route(quota, A, turn("a", session, 2)).kind()).as("its next turn finds nothing pinned, claims nothing")
        .isEqualTo(RouteKind.UNPINNED);
    assertThat(pins.pinsOf(A)).isEqualTo(held);

    // A still follows the pins it holds; only the longer prefix it would add goes unclaimed
    AffinityDecision followed = route(quota, A, turn("a", 0, 2));
    assertThat(followed.kind()).isEqualTo(RouteKind.PINNED);
    assertThat(followed.claims()).isEmpty();
    assertThat(pins.pinsOf(A)).isEqualTo(held);

    // B is not A: its claims are written and followed
    AffinityDecision first = route(quota, B, turn("b", 0, 1));
    assertThat(first.kind()).isEqualTo(RouteKind.CLAIMED);
    assertThat(pins.pinsOf(B)).isEqualTo(perSession);
    assertThat(route(quota, B, turn("b", 0, 2)).kind()).isEqualTo(RouteKind.PINNED);
    assertThat(pins.pinsOf(A)).isEqualTo(held);
  }

  @Test
  void expiredAndRemovedPinsFreeTheQuota() {
    PinQuota quota = new PinQuota(1);
    AffinityDecision first = route(quota, A, turn("a", 0, 1));
    assertThat(first.kind()).isEqualTo(RouteKind.CLAIMED);
    assertThat(route(quota, A, turn("a", 1, 1)).kind()).isEqualTo(RouteKind.UNPINNED);

    // one pin removed (evicted, or taken by an admin) is not enough: the tenant still holds more than its quota
    first.claims().stream().skip(1).forEach(claim -> pins.remove(claim.key()));
    assertThat(pins.pinsOf(A)).isEqualTo(1);
    assertThat(route(quota, A, turn("a", 1, 1)).kind()).isEqualTo(RouteKind.UNPINNED);
    pins.remove(first.claims().get(0).key());
    assertThat(pins.pinsOf(A)).isZero();
    assertThat(route(quota, A, turn("a", 1, 1)).kind()).isEqualTo(RouteKind.CLAIMED);

    // pins past their expiry free the quota too
    assertThat(route(quota, A, turn("a", 2, 1)).kind()).isEqualTo(RouteKind.UNPINNED);
    clock.addAndGet(24 * 3_600_000 + 1);
    assertThat(pins.pinsOf(A)).isZero();
    assertThat(route(quota, A, turn("a", 2, 1)).kind()).isEqualTo(RouteKind.CLAIMED);
  }

  @Test
  void noQuotaNeverDropsClaimsAndPinsWithoutATenantCountForNone() {
    for (int session = 0; session < 20; session++) {
      assertThat(route(PinQuota.UNLIMITED, A, turn("a", session, 1)).kind()).isEqualTo(RouteKind.CLAIMED);
      assertThat(route(new PinQuota(1), null, turn("x", session, 1)).kind()).isEqualTo(RouteKind.CLAIMED);
    }
    assertThat(pins.pinsOf(A)).isGreaterThan(20);
    assertThat(pins.pinsOf(null)).isZero();
  }

  @Test
  void tagsAreShortStableAndTellTenantsApart() {
    assertThat(PinQuota.tag("key:a")).isEqualTo(A).hasSize(12).matches("[0-9a-f]+");
    assertThat(A).isNotEqualTo(B);
    assertThatThrownBy(() -> new PinQuota(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThat(PinQuota.UNLIMITED.limits()).isFalse();
    assertThat(new PinQuota(5).admitsClaims(4)).isTrue();
    assertThat(new PinQuota(5).admitsClaims(5)).isFalse();
  }
}
