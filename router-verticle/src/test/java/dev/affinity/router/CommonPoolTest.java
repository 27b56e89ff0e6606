package dev.affinity.router;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node on a small machine gives the common pool two threads, so that Hazelcast's asynchronous completions run on
 * a pool instead of a new thread each; an operator's own {@code -D} setting is kept. Each case is a fresh JVM told
 * how many CPUs it has, since the pool's size is fixed once it is first used.
 */
class CommonPoolTest {

  /** Started in the child JVM: applies the launcher's setting first thing, as {@code main} does, and prints the size. */
  public static void main(String[] args) {
    AffinityMain.asyncCompletionsOnAPool();
    System.out.print(ForkJoinPool.getCommonPoolParallelism());
  }

  private static String parallelismIn(int cpus, String... jvmOptions) throws Exception {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:ActiveProcessorCount=" + cpus));
    command.addAll(List.of(jvmOptions));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), CommonPoolTest.class.getName()));
    Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
  }

  @Test
  void twoCpusGetAPoolOfTwoThreadsInsteadOfOne() throws Exception {
    assertThat(parallelismIn(2)).isEqualTo("2");
    assertThat(parallelismIn(1)).isEqualTo("2");
  }

  @Test
  void largerMachinesAndOperatorsSettingsAreLeftAlone() throws Exception {
    assertThat(parallelismIn(4)).isEqualTo("3");
    assertThat(parallelismIn(2, "-D" + AffinityMain.COMMON_POOL_PARALLELISM + "=5")).isEqualTo("5");
  }
}
