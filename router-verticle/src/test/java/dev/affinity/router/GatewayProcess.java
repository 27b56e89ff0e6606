package dev.affinity.router;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A gateway node in a process of its own, started with the launcher as a user starts it, for tests of what only a
 * real process shows: signals, exit codes, {@code kill -9}. Its output (stdout and stderr) is kept for assertions
 * and printed when a test fails to say why.
 */
public final class GatewayProcess implements AutoCloseable {

  private final Process process;
  private final int port;
  private final Path log;

  private GatewayProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /**
   * Starts {@code java AffinityMain --config config} on a free HTTP port, in cluster {@code clusterName} whose
   * members use the Hazelcast ports {@code clusterPort} and up ({@link #freeClusterPorts}). Returns at once: see
   * {@link #awaitListening}.
   */
  public static GatewayProcess start(Path config, String clusterName, int clusterPort, int clusterSize)
      throws IOException {
    return start(config, clusterName, clusterPort, clusterSize, List.of());
  }

  /** As {@link #start(Path, String, int, int)}, with more launcher flags (a flag given again wins). */
  public static GatewayProcess start(Path config, String clusterName, int clusterPort, int clusterSize,
                                     List<String> flags) throws IOException {
    return start(config, clusterName, clusterPort, clusterSize, flags, List.of());
  }

  /** As {@link #start(Path, String, int, int, List)}, with more JVM options (an option given again wins). */
  public static GatewayProcess start(Path config, String clusterName, int clusterPort, int clusterSize,
                                     List<String> flags, List<String> jvmOptions) throws IOException {
    int port = TestGateway.freePort();
    List<String> members = new ArrayList<>();
    for (int i = 0; i < clusterSize; i++) {
      members.add("127.0.0.1:" + (clusterPort + i));
    }
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        // small and quick to start: several of these share the machine with the test
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.net.preferIPv4Stack=true"));
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), AffinityMain.class.getName(),
        "--config", config.toString(), "--host", "127.0.0.1", "--port", Integer.toString(port),
        "--cluster-name", clusterName, "--cluster-port", Integer.toString(clusterPort),
        "--cluster-members", String.join(",", members),
        // keys, teams and spend of a node with a master key: its own folder, gone with the machine's temp files
        "--data-dir", Files.createTempDirectory("affinity-data-").toString()));
    command.addAll(flags);
    if (!flags.contains("--data-dir")) {
      // each node its own embedded store: several nodes in one working directory would fight over ./affinity-data
      command.addAll(List.of("--data-dir", Files.createTempDirectory("affinity-data-" + port + "-").toString()));
    }
    // to a file, not a pipe: Process.destroy() closes the pipes, and what a draining node says comes after that
    Path log = Files.createTempFile("affinity-node-" + port + "-", ".log");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new GatewayProcess(process, port, log);
  }

  /**
   * The first of {@code count} consecutive free ports, away from Hazelcast's default 5701 where other clusters on
   * this machine (other test runs) would answer first.
   */
  public static int freeClusterPorts(int count) throws IOException {
    for (int attempt = 0; attempt < 100; attempt++) {
      int base = ThreadLocalRandom.current().nextInt(20_000, 30_000);
      boolean free = true;
      for (int i = 0; i < count && free; i++) {
        try (ServerSocket probe = new ServerSocket(base + i)) {
          probe.setReuseAddress(true);
        } catch (IOException taken) {
          free = false;
        }
      }
      if (free) {
        return base;
      }
    }
    throw new IOException("no " + count + " consecutive free ports");
  }

  /** Waits for the launcher's "listening" line; fails with the process's output if it exits or takes too long. */
  public GatewayProcess awaitListening(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!output().contains("\nAffinity listening on") && !output().startsWith("Affinity listening on")) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError("gateway process did not start (alive: " + process.isAlive() + "):\n" + output());
      }
      Thread.sleep(100);
    }
    return this;
  }

  /** Waits for the process to exit; false when it is still running after {@code timeout}. */
  public boolean awaitExit(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  public Process process() {
    return process;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  /** Everything the process wrote so far, stdout and stderr interleaved. */
  public String output() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException unreadable) {
      return "(output unreadable: " + unreadable + ")";
    }
  }

  /** Kills what is left; a test that expects a clean exit checks it before. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor();
    }
    try {
      Files.deleteIfExists(log);
    } catch (IOException kept) {
      // a temp file left behind
    }
  }
}
