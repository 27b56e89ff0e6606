package dev.affinity.router;

import dev.affinity.model.config.ConfigException;
import dev.affinity.model.config.ConfigLoader;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.GatewayConfig;
import dev.affinity.router.node.AffinityNode;
import dev.affinity.router.node.ClusterSettings;
import dev.affinity.router.node.LogFormat;
import dev.affinity.router.node.LogSetup;
import dev.affinity.router.routing.DeploymentBook;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/** {@code java -jar affinity.jar --config FILE [...]}: starts one gateway node. */
public final class AffinityMain {

  static final String USAGE = """
      Usage: affinity --config FILE [options]

        --config FILE             LiteLLM-style config.yaml (required; see docs/configuration.md)
        --host HOST               address to listen on for HTTP (default 0.0.0.0); without a master key the
                                  node listens on 127.0.0.1 only unless server_settings.allow_public_without_key
        --port N                  HTTP port (default 4000)
        --cluster-config FILE     Hazelcast XML to use instead of the bundled cluster.xml
        --cluster-members LIST    comma-separated members to join, host or host:port (default 127.0.0.1)
        --cluster-port N          first Hazelcast port to try (default 5701)
        --cluster-interface IP    interface to bind and announce, patterns allowed (default 127.0.0.1); the
                                  event bus binds the first local address that matches, never 0.0.0.0
        --cluster-name NAME       only nodes with the same name join each other (default affinity, on a
                                  loopback --cluster-interface only: required on any other)
        --cluster-tls-cert FILE   this member's certificate (PEM), signed by the cluster's CA: with the two
        --cluster-tls-key FILE    below, the event bus between members uses mutual TLS and only accepts members
        --cluster-tls-ca FILE     whose certificate that CA signed (required off loopback, see below)
        --cluster-plaintext       let the event bus go without TLS on a --cluster-interface that is not
                                  loopback: only when that network reaches gateway nodes alone (a warning
                                  at start). Without it or the three files above, such a node does not start
        --data-dir DIR            where a node without general_settings.database_url keeps virtual keys, teams and
                                  spend (an embedded database; default ./affinity-data/PORT; only with a master_key)
        --log-level LEVEL         info (default), debug, warn, error
        --log-format FORMAT       text (default) or json: one JSON object per line
        --metrics-port N          also serve /metrics on this port, without a key while bound to loopback
        --metrics-host HOST       address of the metrics port (default 127.0.0.1)
        --help                    this text

      Every --cluster-* flag can also come from AFFINITY_CLUSTER_CONFIG, AFFINITY_CLUSTER_MEMBERS,
      AFFINITY_CLUSTER_PORT, AFFINITY_CLUSTER_INTERFACE, AFFINITY_CLUSTER_NAME, AFFINITY_CLUSTER_TLS_CERT,
      AFFINITY_CLUSTER_TLS_KEY, AFFINITY_CLUSTER_TLS_CA, AFFINITY_CLUSTER_PLAINTEXT (true); --metrics-port and --metrics-host
      from AFFINITY_METRICS_PORT and AFFINITY_METRICS_HOST; --log-level and --log-format from AFFINITY_LOG_LEVEL
      and AFFINITY_LOG_FORMAT; --data-dir from AFFINITY_DATA_DIR. DATABASE_URL stands in for
      general_settings.database_url (PostgreSQL, shared by every node).

      SIGTERM or Ctrl-C drains the node: readiness turns 503, new requests are refused, requests in flight may
      finish for up to general_settings.drain_timeout (25 s by default), then the node leaves the cluster and
      exits 0. A second signal stops the waiting: the process ends within 5 s. However it stops, it ends within
      drain_timeout + 5 s (exit 1 when closing had to be cut short).

      Exit codes: 0 stopped by a signal, 2 bad arguments or configuration, 1 the node could not start.
      """;
  private static final Set<String> FLAGS = Set.of("config", "host", "port", "cluster-config", "cluster-members",
      "cluster-port", "cluster-interface", "cluster-name", "cluster-tls-cert", "cluster-tls-key", "cluster-tls-ca",
      "cluster-plaintext", "log-level", "log-format", "metrics-port", "metrics-host", "data-dir");
  /** Flags that need no value: given alone they mean {@code true} ({@code --name=false} also works). */
  private static final Set<String> SWITCHES = Set.of("cluster-plaintext");
  /** Where keys, teams and spend are kept without a database_url: this folder, then the HTTP port. */
  static final String DEFAULT_DATA_DIR = "affinity-data";

  private AffinityMain() {
  }

  /**
   * On a machine with two CPUs or fewer the common pool has one thread, and then Hazelcast (as CompletableFuture)
   * runs every asynchronous completion on a thread of its own, started for it: one per pin-map call. Two threads
   * in the pool halve the pin-map latency there (docs/benchmarks.md). Must run before anything touches the pool;
   * a value set with -D is kept.
   */
  static void asyncCompletionsOnAPool() {
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null && Runtime.getRuntime().availableProcessors() <= 2) {
      System.setProperty(COMMON_POOL_PARALLELISM, "2");
    }
  }

  /** The JDK's property for the common fork-join pool's size; read once, when the pool is first used. */
  static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  public static void main(String[] args) throws InterruptedException {
    asyncCompletionsOnAPool();
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
      } else if (SWITCHES.contains(name)) {
        value = "true";
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
    String metricsPortFlag = flags.getOrDefault("metrics-port", System.getenv("AFFINITY_METRICS_PORT"));
    AffinityNode.MetricsPort metricsPort = metricsPortFlag == null || metricsPortFlag.isEmpty() ? null
        : new AffinityNode.MetricsPort(flags.getOrDefault("metrics-host",
            System.getenv().getOrDefault("AFFINITY_METRICS_HOST", "127.0.0.1")),
            parsePort(metricsPortFlag, "--metrics-port"));
    String logFormat = LogFormat.named(flags.getOrDefault("log-format",
        System.getenv().getOrDefault("AFFINITY_LOG_FORMAT", "text")));
    if (logFormat == null) {
      usageError("--log-format must be text or json");
    }
    LogSetup.configure(flags.getOrDefault("log-level", System.getenv().getOrDefault("AFFINITY_LOG_LEVEL", "info")),
        logFormat);
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
    List<Deployment> unpriced = DeploymentBook.unpriced(config);
    if (!unpriced.isEmpty()) {
      log.warning("config: no price for " + unpriced.stream().map(d -> d.id() + " (" + d.model() + ")")
          .collect(Collectors.joining(", ")) + ": their calls cost 0 in spend, budgets (max_budget) and savings;"
          + " set model_info.input_cost_per_token and output_cost_per_token (and cache_read_input_token_cost where"
          + " the model's cache reads differ from its family's share of the input price: docs/configuration.md)");
    }

    ClusterSettings cluster;
    try {
      cluster = ClusterSettings.from(flags, System.getenv());
    } catch (IllegalArgumentException badCluster) {
      usageError(badCluster.getMessage());
      return;
    }
    AffinityNode node;
    try {
      String givenDataDir = flags.getOrDefault("data-dir", System.getenv("AFFINITY_DATA_DIR"));
      // by default one folder per HTTP port: nodes started side by side in one folder never share a database file
      Path dataDir = givenDataDir != null && !givenDataDir.isBlank() ? Path.of(givenDataDir)
          : Path.of(DEFAULT_DATA_DIR, Integer.toString(port));
      node = AffinityNode.start(config, cluster, host, port, metricsPort, dataDir).await(120, TimeUnit.SECONDS);
    } catch (Exception startFailure) {
      fail(1, "affinity: the node could not start: " + startFailure.getMessage());
      return;
    }
    // before the "listening" line: a signal sent as soon as it appears must find the handlers in place
    Shutdown shutdown = new Shutdown(node, config.general().drainTimeout());
    boolean signalsHandled = shutdown.handleSignals();
    // any other way out (SIGHUP, or signals taken by the JVM itself) still drains, from a shutdown hook
    Runtime.getRuntime().addShutdownHook(new Thread(() -> shutdown.drainAndClose().join(), "affinity-shutdown"));
    String shown = node.host().equals("0.0.0.0") ? "127.0.0.1" : node.host();
    System.out.println("Affinity listening on http://" + shown + ":" + node.port() + " (node " + node.nodeId()
        + ", " + node.clusterMembers().size() + " cluster member(s), " + config.deployments().size()
        + " deployment(s))");
    if (metricsPort != null) {
      log.info("metrics also on http://" + metricsPort.host() + ":" + metricsPort.port() + "/metrics");
    }
    if (!signalsHandled) {
      log.warning("SIGTERM cannot be handled here: stopping still drains, but exits with status 143");
    }
    shutdown.requested().join();
    // bounded: a close that hangs (a wedged upstream connection, a cluster that does not answer) must not keep the
    // process past the drain timeout plus a grace period; halt, not exit, since the shutdown hook waits on it too
    if (!shutdown.awaitStopped(config.general().drainTimeout().plus(Shutdown.CLOSE_GRACE))) {
      Shutdown.LIFECYCLE.severe("affinity: the node did not stop within the drain timeout plus "
          + Shutdown.CLOSE_GRACE.toSeconds() + " s; exiting anyway");
      Runtime.getRuntime().halt(1);
    }
    System.exit(0);
  }

  /**
   * Drains the node once, however many signals arrive: the first begins the drain, a second ends the waiting.
   * The launcher handles SIGTERM and SIGINT itself rather than through a JVM shutdown hook so that a drained node
   * exits 0 (the JVM ends a hook-driven exit with 143), and logging still works while it drains.
   */
  private static final class Shutdown {

    /** How long closing (leaving the cluster, closing connections) may take after the drain, or after a 2nd signal. */
    static final Duration CLOSE_GRACE = Duration.ofSeconds(5);
    /** Drain messages go through the log, timestamped and formatted like every other line. */
    static final Logger LIFECYCLE = Logger.getLogger("dev.affinity.router.node.Shutdown");

    private final AffinityNode node;
    private final Duration drainTimeout;
    private final CompletableFuture<Void> requested = new CompletableFuture<>();
    private final AtomicReference<CompletableFuture<Void>> done = new AtomicReference<>();

    Shutdown(AffinityNode node, Duration drainTimeout) {
      this.node = node;
      this.drainTimeout = drainTimeout;
    }

    @SuppressWarnings("restriction")
    boolean handleSignals() {
      try {
        for (String name : new String[] {"TERM", "INT"}) {
          sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
            if (!requested.complete(null)) {
              LIFECYCLE.info("Affinity: second signal, no more waiting for requests in flight");
              node.stopWaiting();
              Thread watchdog = new Thread(() -> {
                if (!awaitStopped(CLOSE_GRACE)) {
                  LIFECYCLE.severe("affinity: still closing " + CLOSE_GRACE.toSeconds()
                      + " s after the second signal; exiting now");
                  Runtime.getRuntime().halt(0);
                }
              }, "affinity-second-signal");
              watchdog.setDaemon(true);
              watchdog.start();
            }
          });
        }
        return true;
      } catch (IllegalArgumentException | LinkageError unavailable) {
        return false;
      }
    }

    /** Waits for drainAndClose to finish; false when it is still running after {@code timeout}. */
    boolean awaitStopped(Duration timeout) {
      try {
        drainAndClose().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return true;
      } catch (TimeoutException stillClosing) {
        return false;
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
        return false;
      } catch (ExecutionException impossible) {
        return true;
      }
    }

    /** Completes when the first signal arrives. */
    CompletableFuture<Void> requested() {
      return requested;
    }

    /** Drains and closes the node, once: every caller gets the same future. */
    CompletableFuture<Void> drainAndClose() {
      requested.complete(null);
      CompletableFuture<Void> mine = new CompletableFuture<>();
      if (!done.compareAndSet(null, mine)) {
        return done.get();
      }
      LIFECYCLE.info("Affinity draining: " + node.state().inFlight() + " request(s) in flight, waiting up to "
          + drainTimeout.toMillis() / 1000.0 + " s");
      node.drain(drainTimeout).onComplete(result -> {
        if (result.succeeded()) {
          LIFECYCLE.info(result.result() == 0 ? "Affinity stopped: every request finished"
              : "Affinity stopped: " + result.result() + " request(s) cut off by the drain timeout");
        } else {
          LIFECYCLE.severe("affinity: error while stopping: " + result.cause());
        }
        mine.complete(null);
      });
      return mine;
    }
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
