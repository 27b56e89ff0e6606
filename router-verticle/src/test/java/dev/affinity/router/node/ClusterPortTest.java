package dev.affinity.router.node;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code --cluster-port}: a port number, or a start-up error that names the option and the value. */
class ClusterPortTest {

  @Test
  void aValueThatIsNotAPortIsRefusedNamingTheOption() {
    for (String bad : List.of("57o1", "0", "65536", "-1")) {
      assertThatThrownBy(() -> ClusterSettings.from(Map.of(), Map.of("AFFINITY_CLUSTER_PORT", bad)))
          .as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("--cluster-port (or AFFINITY_CLUSTER_PORT)").hasMessageContaining("1 to 65535");
    }
    assertThatThrownBy(() -> ClusterSettings.from(Map.of("cluster-port", "http"), Map.of()))
        .hasMessageContaining("--cluster-port").hasMessageContaining("'http'");
  }

  @Test
  void theFlagWinsOverTheEnvironmentAndTheDefaultIs5701() {
    assertThat(ClusterSettings.from(Map.of("cluster-port", "6000"), Map.of("AFFINITY_CLUSTER_PORT", "7000")).port())
        .isEqualTo(6000);
    assertThat(ClusterSettings.from(Map.of(), Map.of("AFFINITY_CLUSTER_PORT", " 7000 ")).port()).isEqualTo(7000);
    assertThat(ClusterSettings.from(Map.of(), Map.of()).port()).isEqualTo(5701);
  }
}
