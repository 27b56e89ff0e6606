package dev.affinity.router.node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The cluster's safe default: an event bus reachable beyond loopback speaks mutual TLS, unless the operator says the
 * network is private ({@code --cluster-plaintext}). The launcher turns the refusal into exit 2 with its message.
 */
class ClusterPlaintextTest {

  @TempDir
  Path dir;

  @Test
  void beyondLoopbackWithoutTlsANodeDoesNotStartAndTheMessageNamesTheFlags() {
    assertThatThrownBy(() -> ClusterSettings.from(Map.of("cluster-interface", "10.0.0.11", "cluster-name", "prod"),
        Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--cluster-tls-cert").hasMessageContaining("--cluster-tls-key")
        .hasMessageContaining("--cluster-tls-ca").hasMessageContaining("--cluster-plaintext");
    // settings built in code are held to the same rule when a node starts with them
    ClusterSettings direct = new ClusterSettings(null, "10.0.0.11", 5701, "10.0.0.*", "prod");
    assertThatThrownBy(direct::requireSafeEventBus).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--cluster-plaintext");
  }

  @Test
  void theOptInByFlagOrEnvironmentStartsItWithAWarning() {
    ClusterSettings byFlag = ClusterSettings.from(Map.of("cluster-interface", "10.0.0.11", "cluster-name", "prod",
        "cluster-plaintext", "true"), Map.of());
    assertThat(byFlag.plaintext()).isTrue();
    assertThat(byFlag.eventBusExposed()).as("warned about at start").isTrue();
    ClusterSettings byEnv = ClusterSettings.from(Map.of("cluster-interface", "10.0.0.11", "cluster-name", "prod"),
        Map.of("AFFINITY_CLUSTER_PLAINTEXT", "true"));
    assertThat(byEnv.plaintext()).isTrue();
    // the flag wins over the environment
    assertThatThrownBy(() -> ClusterSettings.from(Map.of("cluster-interface", "10.0.0.11", "cluster-name", "prod",
        "cluster-plaintext", "false"), Map.of("AFFINITY_CLUSTER_PLAINTEXT", "true")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ClusterSettings.from(Map.of("cluster-plaintext", "yes"), Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--cluster-plaintext");
  }

  @Test
  void withTlsOrOnLoopbackNoOptInIsNeeded() throws Exception {
    Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
    ClusterSettings tls = ClusterSettings.from(Map.of("cluster-interface", "10.0.0.11", "cluster-name", "prod",
        "cluster-tls-cert", cert.toString(), "cluster-tls-key", cert.toString(), "cluster-tls-ca", cert.toString()),
        Map.of());
    assertThat(tls.eventBusExposed()).isFalse();
    ClusterSettings loopback = ClusterSettings.from(Map.of(), Map.of());
    assertThat(loopback.plaintext()).isFalse();
    assertThat(loopback.eventBusExposed()).isFalse();
  }
}
