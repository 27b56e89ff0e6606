package dev.affinity.router;

import dev.affinity.model.config.ConfigException;
import dev.affinity.model.config.ConfigLoader;
import dev.affinity.model.config.GatewayConfig;
import dev.affinity.router.node.AffinityNode;
import dev.affinity.router.node.ClusterSettings;
import dev.affinity.router.node.LogSetup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/** {@code java -jar affinity.jar --config FILE [...]}: starts one gateway node. */
public final class AffinityMain {

  static final String USAGE = """
      Usage: affinity --config FILE [options]

        --config FILE             LiteLLM-style config.yaml (required; see docs/configuration.md)
        --host HOST               address to listen on for HTTP (default 0.0.0.0)
        --port N                  HTTP port (default 4000)
        --cluster-config FILE     Hazelcast XML to use instead of the bundled cluster.xml
        --cluster-members LIST    comma-separated members to join, host or host:port (default 127.0.0.1)
        --cluster-port N          first Hazelcast port to try (default 5701)
        --cluster-interface IP    interface to bind and announce, wildcards allowed (default 127.0.0.1)
        --cluster-name NAME       only nodes with the same name join each other (default affinity)
        --log-level LEVEL         info (default), debug, warn, error
        --help                    this text

      Every --cluster-* flag can also come from AFFINITY_CLUSTER_CONFIG, AFFINITY_CLUSTER_MEMBERS,
      AFFINITY_CLUSTER_PORT, AFFINITY_CLUSTER_INTERFACE, AFFINITY_CLUSTER_NAME. Exit codes: 2 bad arguments or
      configuration, 1 the node could not start.
      """;
  private static final Set<String> FLAGS = Set.of("config", "host", "port", "cluster-config", "cluster-members",
      "cluster-port", "cluster-interface", "cluster-name", "log-level");

  private AffinityMain() {
  }

  public static void main(String[] args) throws InterruptedException {
    Map<String, String> flags = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--help") || arg.equals("-h")) {
        System.out.print(USAGE);
        return;
      }
      String name = arg.startsWith("--") ? arg.substring(2) : arg;
      String value = null;
      int eq = name.indexOf('=');
      if (eq > 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else if (i + 1 < args.length) {
        value = args[++i];
      }
      if (!arg.startsWith("--") || !FLAGS.contains(name)) {
        usageError("unknown argument: " + arg);
      }
      if (value == null) {
        usageError("--" + name + " needs a value");
      }
      flags.put(name, value);
    }
    if (!flags.containsKey("config")) {
      usageError("--config FILE is required");
    }
    int port = parsePort(flags.getOrDefault("port", "4000"), "--port");
    if (flags.containsKey("cluster-port")) {
      parsePort(flags.get("cluster-port"), "--cluster-port");
    }
    String host = flags.getOrDefault("host", "0.0.0.0");
    LogSetup.configure(flags.getOrDefault("log-level", System.getenv().getOrDefault("AFFINITY_LOG_LEVEL", "info")));
    System.setProperty("hazelcast.phone.home.enabled", "false");

    Path configFile = Path.of(flags.get("config"));
    if (!Files.isReadable(configFile)) {
      fail(2, "affinity: cannot read config file " + configFile);
    }
    GatewayConfig config;
    try {
      config = ConfigLoader.load(configFile, System.getenv());
    } catch (ConfigException invalid) {
      fail(2, "affinity: invalid configuration in " + configFile + ":\n" + invalid.getMessage());
      return;
    }
    Logger log = Logger.getLogger("dev.affinity.router");
    config.warnings().forEach(warning -> log.warning("config: " + warning));

    ClusterSettings cluster = ClusterSettings.from(flags, System.getenv());
    CountDownLatch stopped = new CountDownLatch(1);
    AffinityNode node;
    try {
      node = AffinityNode.start(config, cluster, host, port).await(120, TimeUnit.SECONDS);
    } catch (Exception startFailure) {
      fail(1, "affinity: the node could not start: " + startFailure.getMessage());
      return;
    }
    String shown = host.equals("0.0.0.0") ? "127.0.0.1" : host;
    System.out.println("Affinity listening on http://" + shown + ":" + node.port() + " (node " + node.nodeId()
        + ", " + node.clusterMembers().size() + " cluster member(s), " + config.deployments().size()
        + " deployment(s))");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        node.close().await(30, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // the process is ending either way
      } finally {
        stopped.countDown();
      }
    }, "affinity-shutdown"));
    stopped.await();
  }

  private static int parsePort(String value, String flag) {
    try {
      int port = Integer.parseInt(value);
      if (port < 0 || port > 65535) {
        usageError(flag + " must be between 0 and 65535");
      }
      return port;
    } catch (NumberFormatException notANumber) {
      usageError(flag + " must be a number");
      return -1;
    }
  }

  private static void usageError(String message) {
    System.err.println("affinity: " + message);
    System.err.print(USAGE);
    System.exit(2);
  }

  private static void fail(int code, String message) {
    System.err.println(message);
    System.exit(code);
  }
}
