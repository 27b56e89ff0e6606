package dev.affinity.router.node;

import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The event bus's mutual-TLS settings as the launcher reads them: all three files or none, each readable. */
class EventBusTlsTest {

  @TempDir
  Path dir;

  @Test
  void allThreeFilesMakeTheEventBusRequireAClientCertificate() throws Exception {
    Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
    Path key = Files.writeString(dir.resolve("key.pem"), "x");
    Path ca = Files.writeString(dir.resolve("ca.pem"), "x");
    ClusterSettings settings = ClusterSettings.from(Map.of("cluster-tls-cert", cert.toString(),
        "cluster-tls-key", key.toString()), Map.of("AFFINITY_CLUSTER_TLS_CA", ca.toString()));
    assertThat(settings.eventBusTls()).isEqualTo(new EventBusTls(cert, key, ca));
    EventBusOptions options = settings.eventBusOptions();
    assertThat(options.isSsl()).isTrue();
    assertThat(options.getClientAuth()).isEqualTo(ClientAuth.REQUIRED);
    assertThat(options.getHost()).isEqualTo("127.0.0.1");
  }

  @Test
  void someButNotAllFilesOrAnUnreadableOneIsRefusedNamingTheFlag() throws Exception {
    Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
    assertThatThrownBy(() -> ClusterSettings.from(Map.of("cluster-tls-cert", cert.toString()), Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--cluster-tls-ca");
    assertThatThrownBy(() -> ClusterSettings.from(Map.of("cluster-tls-cert", cert.toString(),
        "cluster-tls-key", dir.resolve("missing.pem").toString(), "cluster-tls-ca", cert.toString()), Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--cluster-tls-key");
  }

  @Test
  void withoutTlsOnlyALoopbackEventBusIsQuiet() {
    assertThat(ClusterSettings.from(Map.of(), Map.of()).eventBusExposed()).isFalse();
    assertThat(ClusterSettings.from(Map.of(), Map.of()).eventBusOptions().isSsl()).isFalse();
    assertThat(ClusterSettings.from(Map.of("cluster-interface", "10.0.0.*", "cluster-name", "prod"),
        Map.of("AFFINITY_CLUSTER_PLAINTEXT", "true"))
        .eventBusExposed()).isTrue();
  }
}
