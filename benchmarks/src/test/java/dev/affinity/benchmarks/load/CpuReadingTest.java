package dev.affinity.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.affinity.benchmarks.load.ServerProcess.ThreadRole;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CpuReadingTest {

  @Test
  void threadsAreToldByTheirNamesAsProcTruncatesThem() {
    assertThat(ThreadRole.of("C2 CompilerThre")).isEqualTo(ThreadRole.JIT);
    assertThat(ThreadRole.of("C1 CompilerThre")).isEqualTo(ThreadRole.JIT);
    assertThat(ThreadRole.of("vert.x-eventloo")).isEqualTo(ThreadRole.EVENT_LOOPS);
    assertThat(ThreadRole.of("hz.affinity-nod")).isEqualTo(ThreadRole.HAZELCAST);
    assertThat(ThreadRole.of("GC Thread#1")).isEqualTo(ThreadRole.GC);
    assertThat(ThreadRole.of("G1 Conc#0")).isEqualTo(ThreadRole.GC);
    assertThat(ThreadRole.of("vert.x-internal")).isEqualTo(ThreadRole.OTHER);
    assertThat(ThreadRole.of("node")).isEqualTo(ThreadRole.OTHER);
  }

  @Test
  void aRoundIsTheDifferenceAndTheRolesAddUpToTheTotal() {
    CpuReading before = new CpuReading(1_000, Map.of(ThreadRole.JIT, 400L, ThreadRole.EVENT_LOOPS, 300L,
        ThreadRole.OTHER, 300L));
    // a thread that did 50 ms of other work ended in between: the total keeps it, the roles lost it
    CpuReading after = new CpuReading(1_700, Map.of(ThreadRole.JIT, 500L, ThreadRole.EVENT_LOOPS, 800L,
        ThreadRole.HAZELCAST, 20L, ThreadRole.OTHER, 280L));

    CpuReading round = after.since(before);

    assertThat(round.totalMillis()).isEqualTo(700);
    assertThat(round.byRole()).containsEntry(ThreadRole.JIT, 100L).containsEntry(ThreadRole.EVENT_LOOPS, 500L)
        .containsEntry(ThreadRole.HAZELCAST, 20L).containsEntry(ThreadRole.GC, 0L).containsEntry(ThreadRole.OTHER, 80L);
    assertThat(round.byRole().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(round.totalMillis());
  }

  @Test
  void aTargetWithoutProcessesCostsNothing() {
    assertThat(CpuReading.of(null).since(CpuReading.NONE).totalMillis()).isZero();
  }
}
