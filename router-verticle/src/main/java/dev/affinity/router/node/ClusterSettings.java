package dev.affinity.router.node;

import com.hazelcast.config.Config;
import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.config.XmlConfigBuilder;
import io.vertx.core.eventbus.EventBusOptions;
import dev.affinity.router.pins.PinProcessors;
import dev.affinity.router.tenancy.TenancyProcessors;

import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Properties;

/**
 * Where this node finds the rest of the cluster: the Hazelcast XML (the file given, or the bundled cluster.xml) with
 * its {@code affinity.cluster.*} placeholders filled in from flags, then the environment, then defaults, and the pin
 * map's serialization ({@link PinProcessors}) added. Every member a node, test or benchmark starts is configured here.
 *
 * @param configFile Hazelcast XML to use instead of the bundled one, or null
 * @param members    comma-separated TCP-IP members (host or host:port)
 * @param port       first port to try; the next free one is taken when it is busy
 * @param iface      the interface (address or wildcard like {@code 10.0.0.*}) to bind and announce
 * @param name       cluster name: nodes only join a cluster of the same name
 * @param eventBusTls mutual TLS between the members' event buses, or null for none (loopback only, see
 *                    docs/security.md)
 * @param plaintext  the operator's word ({@code --cluster-plaintext}) that the cluster network reaches gateway
 *                   nodes only, so the event bus may go without TLS beyond loopback
 */
public record ClusterSettings(Path configFile, String members, int port, String iface, String name,
                              EventBusTls eventBusTls, boolean plaintext) {

  /** Without TLS on the event bus. */
  public ClusterSettings(Path configFile, String members, int port, String iface, String name) {
    this(configFile, members, port, iface, name, null, false);
  }

  /** The same cluster, its event bus with mutual TLS ({@code tls} null: without). */
  public ClusterSettings withEventBusTls(EventBusTls tls) {
    return new ClusterSettings(configFile, members, port, iface, name, tls, plaintext);
  }

  /** The same cluster, with ({@code true}) or without the operator's opt-in to a plaintext event bus. */
  public ClusterSettings withPlaintext(boolean allowed) {
    return new ClusterSettings(configFile, members, port, iface, name, eventBusTls, allowed);
  }

  /** Where a node's event bus itself listens: its frame guard faces the cluster (see {@link #nodeEventBusOptions}). */
  static final String NODE_EVENT_BUS_HOST = "127.0.0.1";

  public static final String BUNDLED = "/cluster.xml";

  /**
   * Flags win over the environment, the environment over defaults. The default cluster name is for loopback only:
   * two installations that both kept it would merge into one cluster (pins, cooldowns, event bus) without a word.
   *
   * @throws IllegalArgumentException when the cluster port is not a port number, the interface is not loopback and no
   *                                  cluster name was given, or the event bus would be reachable beyond loopback
   *                                  without TLS and without {@code --cluster-plaintext}
   */
  public static ClusterSettings from(Map<String, String> flags, Map<String, String> env) {
    String file = pick(flags.get("cluster-config"), env.get("AFFINITY_CLUSTER_CONFIG"), null);
    String iface = pick(flags.get("cluster-interface"), env.get("AFFINITY_CLUSTER_INTERFACE"), "127.0.0.1");
    String name = pick(flags.get("cluster-name"), env.get("AFFINITY_CLUSTER_NAME"), null);
    if (name == null && !Listener.loopback(iface)) {
      throw new IllegalArgumentException("--cluster-name (or AFFINITY_CLUSTER_NAME) is required when the cluster"
          + " interface is not loopback: a cluster name of your own keeps other installations out");
    }
    String plaintext = pick(flags.get("cluster-plaintext"), env.get("AFFINITY_CLUSTER_PLAINTEXT"), "false");
    if (!plaintext.equals("true") && !plaintext.equals("false")) {
      throw new IllegalArgumentException("--cluster-plaintext (or AFFINITY_CLUSTER_PLAINTEXT) must be true or false");
    }
    ClusterSettings settings = new ClusterSettings(
        file == null ? null : Path.of(file),
        pick(flags.get("cluster-members"), env.get("AFFINITY_CLUSTER_MEMBERS"), "127.0.0.1"),
        port(pick(flags.get("cluster-port"), env.get("AFFINITY_CLUSTER_PORT"), "5701")),
        iface, name == null ? DEFAULT_NAME : name,
        EventBusTls.of(pick(flags.get("cluster-tls-cert"), env.get("AFFINITY_CLUSTER_TLS_CERT"), null),
            pick(flags.get("cluster-tls-key"), env.get("AFFINITY_CLUSTER_TLS_KEY"), null),
            pick(flags.get("cluster-tls-ca"), env.get("AFFINITY_CLUSTER_TLS_CA"), null)),
        plaintext.equals("true"));
    settings.requireSafeEventBus();
    return settings;
  }

  /**
   * The safe default: an event bus reachable beyond loopback speaks mutual TLS, unless the operator said the network
   * is private. Without TLS, whoever reaches the event-bus port can send a frame that makes an upstream call.
   *
   * @throws IllegalArgumentException naming the flags, when the interface is not loopback, there is no TLS and no
   *                                  {@code --cluster-plaintext}
   */
  public void requireSafeEventBus() {
    if (eventBusExposed() && !plaintext) {
      throw new IllegalArgumentException("the cluster interface " + iface + " is not loopback: the event bus there"
          + " needs mutual TLS (--cluster-tls-cert, --cluster-tls-key and --cluster-tls-ca, or"
          + " AFFINITY_CLUSTER_TLS_CERT, _KEY, _CA), or --cluster-plaintext (AFFINITY_CLUSTER_PLAINTEXT=true) if only"
          + " gateway nodes can reach that network (docs/security.md)");
    }
  }

  /**
   * How this member's event bus listens and connects: on {@link #eventBusHost()}, any free port, with mutual TLS
   * when {@link #eventBusTls()} is set.
   */
  public EventBusOptions eventBusOptions() {
    EventBusOptions options = new EventBusOptions().setHost(eventBusHost()).setPort(0);
    return eventBusTls == null ? options : eventBusTls.applyTo(options);
  }

  /**
   * A gateway node's event bus: as {@link #eventBusOptions()}, but bound to loopback, behind the frame guard that
   * listens on {@link #eventBusHost()} and is announced in its place ({@link EventBusFrameGuard}).
   */
  public EventBusOptions nodeEventBusOptions() {
    return eventBusOptions().setHost(NODE_EVENT_BUS_HOST);
  }

  /**
   * The largest event-bus frame a node accepts: the largest request body it takes ({@code max_request_size_mb}) and
   * {@link #FRAME_MARGIN_BYTES} for the rest of the call (its headers, tenant, addresses, Vert.x's envelope).
   */
  public static long maxFrameBytes(long maxRequestBytes) {
    return Math.min(Integer.MAX_VALUE, maxRequestBytes + FRAME_MARGIN_BYTES);
  }

  /** Room in a frame beyond the request body: an event-bus call's other fields are a few hundred bytes. */
  public static final long FRAME_MARGIN_BYTES = 1024 * 1024;

  /** Whether members beyond this machine can reach the event bus while it has no TLS: worth a warning at start. */
  public boolean eventBusExposed() {
    return eventBusTls == null && !Listener.loopback(iface);
  }

  /** Hazelcast's switch between its IPv4-only default and IPv6 addresses. */
  static final String PREFER_IPV4_PROPERTY = "hazelcast.prefer.ipv4.stack";

  /** The cluster name on loopback when none is given. */
  public static final String DEFAULT_NAME = "affinity";

  public static ClusterSettings loopback(String name) {
    return new ClusterSettings(null, "127.0.0.1", 5701, "127.0.0.1", name);
  }

  public Config hazelcastConfig() throws IOException {
    Properties properties = new Properties();
    properties.setProperty("affinity.cluster.members", members);
    properties.setProperty("affinity.cluster.port", Integer.toString(port));
    properties.setProperty("affinity.cluster.interface", iface);
    properties.setProperty("affinity.cluster.name", name);
    try (InputStream xml = configFile != null ? Files.newInputStream(configFile)
        : ClusterSettings.class.getResourceAsStream(BUNDLED)) {
      if (xml == null) {
        throw new IOException("bundled " + BUNDLED + " is missing from the jar");
      }
      Config config = new XmlConfigBuilder(xml).setProperties(properties).build();
      if (iface.indexOf(':') >= 0) {
        // Hazelcast looks at IPv4 addresses only unless told otherwise: an IPv6 interface would match none
        config.setProperty(PREFER_IPV4_PROPERTY, "false");
      }
      // here rather than in cluster.xml, so that a Hazelcast XML of the operator's own cannot leave it out
      PinProcessors.register(config.getSerializationConfig());
      TenancyProcessors.register(config.getSerializationConfig());
      if (!"false".equals(System.getProperty(SERIALIZATION_FILTER_PROPERTY))
          && config.getSerializationConfig().getJavaSerializationFilterConfig() == null) {
        config.getSerializationConfig().setJavaSerializationFilterConfig(deserializationFilter());
      }
      return config;
    }
  }

  /**
   * On unless set to {@code false} ({@code -Daffinity.hazelcast.serialization-filter=false}), for an operator who must
   * deserialize classes of their own through the cluster. It was opt-in while concurrent first claims could split
   * (a race in the claim path that the filter's timing made likelier); claims of a burst now agree (docs/affinity.md).
   */
  public static final String SERIALIZATION_FILTER_PROPERTY = "affinity.hazelcast.serialization-filter";

  /**
   * What a member may deserialize with Java serialization from another: only the JDK's value types, Hazelcast's,
   * Vert.x's and ours. Hazelcast's defaults are off: their allow-list takes every class under {@code java}. A member (or anyone who reaches the
   * Hazelcast port: the open-source edition has no member authentication) cannot make this one instantiate anything
   * else. An operator's Hazelcast XML that sets a filter of its own keeps it.
   */
  static JavaSerializationFilterConfig deserializationFilter() {
    JavaSerializationFilterConfig filter = new JavaSerializationFilterConfig().setDefaultsDisabled(true);
    filter.getWhitelist().addPrefixes("java.lang.", "java.util.", "java.time.", "java.math.", "com.hazelcast.",
        "io.vertx.", "dev.affinity.", "[");
    return filter;
  }

  /**
   * The address the event bus binds and announces: the cluster interface, or for a pattern ({@code 10.0.0.*},
   * {@code 10.0.0.1-50}) this machine's first address that matches it. Never a wildcard: the event bus carries
   * prompts and calls upstreams, so it listens on the cluster's network only.
   *
   * @throws IllegalArgumentException when no address of this machine matches the pattern
   */
  public String eventBusHost() {
    if (!iface.contains("*") && !iface.contains("-")) {
      return iface;
    }
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        for (InetAddress address : Collections.list(nic.getInetAddresses())) {
          if (address instanceof Inet4Address && matches(iface, address.getHostAddress())) {
            return address.getHostAddress();
          }
        }
      }
    } catch (SocketException unreadable) {
      throw new IllegalArgumentException("cannot list this machine's addresses: " + unreadable.getMessage());
    }
    throw new IllegalArgumentException("no address of this machine matches the cluster interface " + iface);
  }

  /** Whether an IPv4 address matches a Hazelcast interface pattern: each part a number, {@code *} or {@code a-b}. */
  static boolean matches(String pattern, String address) {
    String[] want = pattern.split("\\.");
    String[] have = address.split("\\.");
    if (want.length != 4 || have.length != 4) {
      return false;
    }
    for (int i = 0; i < 4; i++) {
      if (want[i].equals("*")) {
        continue;
      }
      int dash = want[i].indexOf('-');
      try {
        int part = Integer.parseInt(have[i]);
        int low = Integer.parseInt(dash < 0 ? want[i] : want[i].substring(0, dash));
        int high = dash < 0 ? low : Integer.parseInt(want[i].substring(dash + 1));
        if (part < low || part > high) {
          return false;
        }
      } catch (NumberFormatException notAPattern) {
        return false;
      }
    }
    return true;
  }

  /** Hazelcast's first port: a number it can listen on, or an error that names where it came from. */
  private static int port(String value) {
    try {
      int port = Integer.parseInt(value.trim());
      if (port >= 1 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException notANumber) {
      // answered below, as a number out of range is
    }
    throw new IllegalArgumentException("--cluster-port (or AFFINITY_CLUSTER_PORT) must be a port number from 1 to"
        + " 65535, not '" + value + "'");
  }

  private static String pick(String flag, String env, String fallback) {
    if (flag != null && !flag.isBlank()) {
      return flag;
    }
    return env != null && !env.isBlank() ? env : fallback;
  }
}
