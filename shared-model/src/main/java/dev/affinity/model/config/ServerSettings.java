package dev.affinity.model.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * {@code server_settings}: how a node faces the network (docs/security.md). Affinity's own section, not LiteLLM's;
 * every default is the safe one.
 *
 * @param headerTimeout            a new connection's first request head must arrive within this
 *                                 ({@code request_header_timeout}, 10 s)
 * @param bodyTimeout              an admitted request's body must arrive whole within this
 *                                 ({@code request_body_timeout}, 60 s)
 * @param idleTimeout              a client connection silent both ways this long is closed ({@code idle_timeout},
 *                                 300 s)
 * @param maxConnectionsPerClient  connections one client address may hold open at once
 *                                 ({@code max_connections_per_client}, 1024)
 * @param http2Cleartext           whether HTTP/2 without TLS (h2c) is offered ({@code http2_cleartext}, false)
 * @param publicWithoutKey         whether a node without {@code general_settings.master_key} may listen beyond
 *                                 loopback ({@code allow_public_without_key}, false)
 * @param allowedHosts             Host header values accepted (host names, ports ignored); empty for any
 *                                 ({@code allowed_hosts})
 * @param tlsCertFile              PEM certificate chain for inbound TLS ({@code tls_cert_file}), or null
 * @param tlsKeyFile               PEM private key for inbound TLS ({@code tls_key_file}), or null
 * @param maxUpstreamResponseBytes the largest complete upstream answer taken, counted after decoding
 *                                 ({@code max_upstream_response_mb}, 64 MiB)
 * @param upstreamTotalTimeout     the longest one upstream call may last, streams included
 *                                 ({@code upstream_total_timeout}, 3600 s)
 * @param clientStallTimeout       how long a stream may wait for a client that stopped reading before it is ended
 *                                 ({@code client_stall_timeout}, 60 s)
 * @param eventBusApi              whether cluster members may call {@code affinity.router} over the event bus
 *                                 ({@code event_bus_api}, false)
 */
public record ServerSettings(Duration headerTimeout, Duration bodyTimeout, Duration idleTimeout,
                             int maxConnectionsPerClient, boolean http2Cleartext, boolean publicWithoutKey,
                             List<String> allowedHosts, Path tlsCertFile, Path tlsKeyFile,
                             long maxUpstreamResponseBytes, Duration upstreamTotalTimeout,
                             Duration clientStallTimeout, boolean eventBusApi) {

  public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_BODY_TIMEOUT = Duration.ofSeconds(60);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(300);
  public static final int DEFAULT_MAX_CONNECTIONS_PER_CLIENT = 1024;
  public static final long DEFAULT_MAX_UPSTREAM_RESPONSE_BYTES = 64L * 1024 * 1024;
  public static final Duration DEFAULT_UPSTREAM_TOTAL_TIMEOUT = Duration.ofSeconds(3600);
  public static final Duration DEFAULT_CLIENT_STALL_TIMEOUT = Duration.ofSeconds(60);

  /** The settings of a file without {@code server_settings}. */
  public static final ServerSettings DEFAULTS = new ServerSettings(DEFAULT_HEADER_TIMEOUT, DEFAULT_BODY_TIMEOUT,
      DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS_PER_CLIENT, false, false, List.of(), null, null,
      DEFAULT_MAX_UPSTREAM_RESPONSE_BYTES, DEFAULT_UPSTREAM_TOTAL_TIMEOUT, DEFAULT_CLIENT_STALL_TIMEOUT, false);

  public ServerSettings {
    Objects.requireNonNull(headerTimeout, "headerTimeout");
    Objects.requireNonNull(bodyTimeout, "bodyTimeout");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    Objects.requireNonNull(upstreamTotalTimeout, "upstreamTotalTimeout");
    Objects.requireNonNull(clientStallTimeout, "clientStallTimeout");
    allowedHosts = List.copyOf(allowedHosts);
    if (maxConnectionsPerClient < 1) {
      throw new IllegalArgumentException("maxConnectionsPerClient must be at least 1");
    }
    if (maxUpstreamResponseBytes < 1) {
      throw new IllegalArgumentException("maxUpstreamResponseBytes must be positive");
    }
    if ((tlsCertFile == null) != (tlsKeyFile == null)) {
      throw new IllegalArgumentException("tlsCertFile and tlsKeyFile go together");
    }
  }

  /** Whether inbound connections use TLS. */
  public boolean tls() {
    return tlsCertFile != null;
  }
}
