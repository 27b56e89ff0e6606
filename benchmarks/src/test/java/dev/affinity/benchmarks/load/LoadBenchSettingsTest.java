package dev.affinity.benchmarks.load;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LoadBenchSettingsTest {

  @Test
  void aMisspeltOptionIsRefusedNamingIt() {
    assertThatThrownBy(() -> LoadBench.Settings.parse(new String[] {"--node", "3"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--node");
  }

  @Test
  void aStrayWordIsRefused() {
    assertThatThrownBy(() -> LoadBench.Settings.parse(new String[] {"--nodes", "1", "quick"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'quick'");
  }

  @Test
  void knownOptionsAreTaken() {
    LoadBench.Settings settings = LoadBench.Settings.parse(new String[] {"--nodes", "3", "--targets", "direct",
        "--phases", "warmup,c1", "--jfr", "--out", "/tmp/x"});
    assertThat(settings.nodeCounts()).containsExactly(3);
    assertThat(settings.targets()).containsExactly("direct");
    assertThat(settings.phases()).isEqualTo(List.of("warmup", "c1"));
    assertThat(settings.jfr()).isTrue();
  }
}
