package dev.affinity.benchmarks.hits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrafficScheduleTest {

  private static final TrafficSchedule.Pacing PACING = TrafficSchedule.Pacing.AGENT;

  @Test
  void everyTurnOfEverySessionOnceInOrderAndInTime() {
    List<TrafficSchedule.Slot> slots = TrafficSchedule.of(50, 10, 7, PACING);

    assertThat(slots).hasSize(500);
    Map<Integer, Integer> lastTurn = new HashMap<>();
    Map<Integer, Long> lastTime = new HashMap<>();
    long previous = Long.MIN_VALUE;
    for (TrafficSchedule.Slot slot : slots) {
      assertThat(slot.atMillis()).isGreaterThanOrEqualTo(previous);
      previous = slot.atMillis();
      assertThat(slot.turn()).isEqualTo(lastTurn.getOrDefault(slot.session(), 0) + 1);
      assertThat(slot.atMillis()).isGreaterThan(lastTime.getOrDefault(slot.session(), -1L));
      lastTurn.put(slot.session(), slot.turn());
      lastTime.put(slot.session(), slot.atMillis());
    }
    assertThat(lastTurn).hasSize(50).allSatisfy((session, turns) -> assertThat(turns).isEqualTo(10));
  }

  @Test
  void sessionsOverlapInTime() {
    List<TrafficSchedule.Slot> slots = TrafficSchedule.of(50, 10, 7, PACING);

    // consecutive requests from different sessions, often: the sessions are interleaved, not played one by one
    long switches = 0;
    for (int i = 1; i < slots.size(); i++) {
      if (slots.get(i).session() != slots.get(i - 1).session()) {
        switches++;
      }
    }
    assertThat(switches).isGreaterThan(slots.size() / 2);
    // and starts spread over the arrival window
    List<Long> starts = slots.stream().filter(slot -> slot.turn() == 1).map(TrafficSchedule.Slot::atMillis).toList();
    assertThat(starts).allSatisfy(start -> assertThat(start).isBetween(0L, PACING.arrivalWindowMillis()));
    assertThat(starts.stream().mapToLong(Long::longValue).max().orElseThrow())
        .isGreaterThan(PACING.arrivalWindowMillis() / 2);
  }

  @Test
  void gapsFollowThePacingAndSomeOutlastTheCacheTtl() {
    List<TrafficSchedule.Slot> slots = TrafficSchedule.of(200, 10, 3, PACING);
    Map<Integer, Long> lastTime = new HashMap<>();
    long pauses = 0;
    for (TrafficSchedule.Slot slot : slots) {
      Long before = lastTime.put(slot.session(), slot.atMillis());
      if (before == null) {
        continue;
      }
      long gap = slot.atMillis() - before;
      if (gap >= PACING.pauseMinMillis()) {
        pauses++;
        assertThat(gap).isLessThanOrEqualTo(PACING.pauseMaxMillis());
      } else if (slot.turn() % 2 == 0) {
        assertThat(gap).isBetween(PACING.toolTurnMinMillis(), PACING.toolTurnMaxMillis());
      } else {
        assertThat(gap).isBetween(PACING.typedTurnMinMillis(), PACING.typedTurnMaxMillis());
      }
    }
    // 1,800 gaps at 5%: about 90 pauses longer than the 5-minute TTL
    assertThat(pauses).isBetween(40L, 150L);
  }

  @Test
  void theSameSeedGivesTheSameSchedule() {
    assertThat(TrafficSchedule.of(20, 5, 11, PACING)).isEqualTo(TrafficSchedule.of(20, 5, 11, PACING));
    assertThat(TrafficSchedule.of(20, 5, 11, PACING)).isNotEqualTo(TrafficSchedule.of(20, 5, 12, PACING));
  }

  @Test
  void refusesEmptyWorkloadsAndInconsistentPacing() {
    assertThatThrownBy(() -> TrafficSchedule.of(0, 5, 1, PACING)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TrafficSchedule.Pacing(1000, 10, 5, 0, 0, 0, 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
