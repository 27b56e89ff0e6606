package dev.affinity.router.node;

import com.hazelcast.config.Config;
import com.hazelcast.config.XmlConfigBuilder;
import dev.affinity.router.pins.PinProcessors;
import dev.affinity.router.tenancy.TenancyProcessors;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
 */
public record ClusterSettings(Path configFile, String members, int port, String iface, String name) {

  public static final String BUNDLED = "/cluster.xml";

  /** Flags win over the environment, the environment over defaults. */
  public static ClusterSettings from(Map<String, String> flags, Map<String, String> env) {
    String file = pick(flags.get("cluster-config"), env.get("AFFINITY_CLUSTER_CONFIG"), null);
    return new ClusterSettings(
        file == null ? null : Path.of(file),
        pick(flags.get("cluster-members"), env.get("AFFINITY_CLUSTER_MEMBERS"), "127.0.0.1"),
        Integer.parseInt(pick(flags.get("cluster-port"), env.get("AFFINITY_CLUSTER_PORT"), "5701")),
        pick(flags.get("cluster-interface"), env.get("AFFINITY_CLUSTER_INTERFACE"), "127.0.0.1"),
        pick(flags.get("cluster-name"), env.get("AFFINITY_CLUSTER_NAME"), "affinity"));
  }

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
      // here rather than in cluster.xml, so that a Hazelcast XML of the operator's own cannot leave it out
      PinProcessors.register(config.getSerializationConfig());
      TenancyProcessors.register(config.getSerializationConfig());
      return config;
    }
  }

  /** The address the event bus binds and announces: the cluster interface, unless it is a wildcard pattern. */
  public String eventBusHost() {
    return iface.contains("*") || iface.contains("-") ? "0.0.0.0" : iface;
  }

  private static String pick(String flag, String env, String fallback) {
    if (flag != null && !flag.isBlank()) {
      return flag;
    }
    return env != null && !env.isBlank() ? env : fallback;
  }
}
