package dev.affinity.router.node;

import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.TCPSSLOptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Mutual TLS between the members' event buses: each member presents {@code certFile} (signed by the cluster's CA) and
 * accepts a connection, in either direction, only from a peer whose certificate {@code caFile} signed. The event bus
 * carries prompts and calls upstreams with the deployments' credentials; without this, anyone who reaches a member's
 * event-bus port can send it a frame. Host names are not checked: membership is proven by the CA's signature, and
 * members announce addresses, not names. PEM files; see docs/security.md.
 *
 * @param certFile this member's certificate chain (PEM)
 * @param keyFile  its private key (PEM, PKCS#8 or PKCS#1)
 * @param caFile   the certificate(s) of the CA that signs every member's certificate (PEM)
 */
public record EventBusTls(Path certFile, Path keyFile, Path caFile) {

  /**
   * The three files, all given or none: null when none is.
   *
   * @throws IllegalArgumentException naming the flags when only some are given or a file is not readable
   */
  static EventBusTls of(String cert, String key, String ca) {
    if (cert == null && key == null && ca == null) {
      return null;
    }
    if (cert == null || key == null || ca == null) {
      throw new IllegalArgumentException("--cluster-tls-cert, --cluster-tls-key and --cluster-tls-ca (or"
          + " AFFINITY_CLUSTER_TLS_CERT, _KEY, _CA) go together: the event bus's mutual TLS needs all three");
    }
    String[][] files = {{"--cluster-tls-cert", cert}, {"--cluster-tls-key", key}, {"--cluster-tls-ca", ca}};
    for (String[] file : files) {
      if (!Files.isReadable(Path.of(file[1]))) {
        throw new IllegalArgumentException(file[0] + ": file " + file[1] + " is not readable");
      }
    }
    return new EventBusTls(Path.of(cert), Path.of(key), Path.of(ca));
  }

  /** {@code options} with TLS on, this member's certificate, the cluster's CA as the only trust, client auth required. */
  EventBusOptions applyTo(EventBusOptions options) {
    presentingMember(options).setClientAuth(ClientAuth.REQUIRED);
    return options;
  }

  /** The frame guard's listener ({@link EventBusFrameGuard}): as the event bus's, a CA-signed client required. */
  void applyTo(NetServerOptions options) {
    presentingMember(options).setClientAuth(ClientAuth.REQUIRED);
  }

  /** The frame guard's way to this node's own event bus, presenting this member's certificate. */
  void applyTo(NetClientOptions options) {
    presentingMember(options);
  }

  /** TLS on, this member's certificate presented, the cluster's CA the only one trusted: every side's part. */
  private <T extends TCPSSLOptions> T presentingMember(T options) {
    options.setSsl(true)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(certFile.toString()).setKeyPath(keyFile.toString()))
        .setTrustOptions(new PemTrustOptions().addCertPath(caFile.toString()));
    return options;
  }
}
