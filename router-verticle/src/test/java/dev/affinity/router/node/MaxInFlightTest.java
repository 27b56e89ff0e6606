package dev.affinity.router.node;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The node's request limit: the configured one, else what the open-file limit allows, at most 10,000. */
class MaxInFlightTest {

  @Test
  void aConfiguredLimitWins() {
    assertThat(AffinityNode.maxInFlight(5, 20_000)).isEqualTo(5);
    // more than the open files allow is kept, with a warning: the operator may know better
    assertThat(AffinityNode.maxInFlight(50_000, 20_000)).isEqualTo(50_000);
  }

  @Test
  void withoutOneTheOpenFileLimitDecides() {
    // two sockets a request, 512 files kept for everything else
    assertThat(AffinityNode.maxInFlight(0, 20_000)).isEqualTo(9_744);
    assertThat(AffinityNode.maxInFlight(0, 1_024)).isEqualTo(256);
    assertThat(AffinityNode.maxInFlight(0, 1_048_576)).isEqualTo(10_000);
    assertThat(AffinityNode.maxInFlight(0, -1)).isEqualTo(10_000);
    assertThat(AffinityNode.maxInFlight(0, 100)).isEqualTo(1);
  }

  @Test
  void admissionCountsInAndOut() {
    NodeState state = new NodeState(2);
    assertThat(state.tryAdmit()).isTrue();
    assertThat(state.tryAdmit()).isTrue();
    assertThat(state.tryAdmit()).isFalse();
    assertThat(state.inFlight()).isEqualTo(2);
    state.release();
    assertThat(state.tryAdmit()).isTrue();
    state.draining(true);
    assertThat(state.ready()).isFalse();
    assertThat(state.draining()).isTrue();
  }
}
