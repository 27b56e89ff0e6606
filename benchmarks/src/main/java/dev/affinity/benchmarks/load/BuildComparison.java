package dev.affinity.benchmarks.load;

import dev.affinity.emulator.workload.AgentWorkload;
import io.vertx.core.buffer.Buffer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Two or more builds of the gateway side by side, one node each: sequential 50 KB agent Messages requests (every one
 * pinned after the warm-up) in alternating blocks, and per block the latency, the gateway process's CPU and its
 * voluntary context switches (all threads, from {@code /proc}) per request. A thread that waits for work and is
 * woken for it switches voluntarily, so these count the hand-offs between threads, which the noise of a loaded
 * machine changes far less than latency and CPU (the involuntary ones, preemptions, grow with the load and are left
 * out). Linux only; asserts nothing.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar dev.affinity.benchmarks.load.BuildComparison
 * before.jar,after.jar ROUNDS REQUESTS_PER_BLOCK}
 */
public final class BuildComparison {

  private static final String JAVA = ProcessHandle.current().info().command().orElse("java");

  private BuildComparison() {
  }

  public static void main(String[] args) throws Exception {
    List<String> jars = Arrays.asList(args[0].split(","));
    int rounds = Integer.parseInt(args[1]);
    int perBlock = Integer.parseInt(args[2]);
    Path dir = Files.createTempDirectory("build-comparison");
    Process emulators = new ProcessBuilder(JAVA, "-Xmx1g", "-cp", System.getProperty("java.class.path"),
        LoadEmulators.class.getName(), "2").redirectErrorStream(true).start();
    Map<String, String> ports = new HashMap<>();
    String ready = awaitLine(emulators.getInputStream(), "LoadEmulators ");
    for (String pair : ready.substring("LoadEmulators ".length()).split(" ")) {
      String[] kv = pair.split("=");
      ports.put(kv[0], kv[1]);
    }
    String template;
    try (InputStream in = BuildComparison.class.getResourceAsStream("/load/bench-config.yaml")) {
      template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Path config = dir.resolve("bench-config.yaml");
    Files.writeString(config, template.replace("${FAST}", ports.get("fast")).replace("${PACED}", ports.get("paced"))
        .replace("${SLOW}", ports.get("slow")));
    List<Process> gateways = new ArrayList<>();
    List<Integer> gatewayPorts = new ArrayList<>();
    for (int i = 0; i < jars.size(); i++) {
      int port;
      try (ServerSocket free = new ServerSocket(0)) {
        port = free.getLocalPort();
      }
      int clusterPort = 20000 + ThreadLocalRandom.current().nextInt(20000);
      Process gateway = new ProcessBuilder(JAVA, "-Xmx1g", "-jar", jars.get(i), "--config", config.toString(),
          "--port", String.valueOf(port), "--cluster-name", "build-comparison-" + ProcessHandle.current().pid() + "-" + i,
          "--cluster-port", String.valueOf(clusterPort), "--cluster-members", "127.0.0.1:" + clusterPort,
          "--log-level", "warn", "--data-dir", dir.resolve("data-" + i).toString()).redirectErrorStream(true).start();
      awaitLine(gateway.getInputStream(), "Affinity listening on");
      gateways.add(gateway);
      gatewayPorts.add(port);
    }
    List<byte[]> bodies = Bodies.messages("bench-fast", false).stream().map(Buffer::getBytes).toList();
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    try {
      // the warm-up: the JIT, and every session's prefix pinned
      for (int warm = 0; warm < 4; warm++) {
        for (int port : gatewayPorts) {
          send(client, port, bodies, perBlock);
        }
      }
      double[][] p50 = new double[jars.size()][rounds];
      double[][] cpu = new double[jars.size()][rounds];
      double[][] switches = new double[jars.size()][rounds];
      for (int round = 0; round < rounds; round++) {
        for (int k = 0; k < jars.size(); k++) {
          int g = (k + round) % jars.size(); // alternate which build goes first
          long pid = gateways.get(g).pid();
          long cpuBefore = cpuTicks(pid);
          long switchesBefore = contextSwitches(pid);
          long[] latencies = send(client, gatewayPorts.get(g), bodies, perBlock);
          cpu[g][round] = (cpuTicks(pid) - cpuBefore) * 10.0 / perBlock; // a tick is 10 ms
          switches[g][round] = (contextSwitches(pid) - switchesBefore) / (double) perBlock;
          Arrays.sort(latencies);
          p50[g][round] = latencies[latencies.length / 2] / 1e6;
          System.out.printf("round %d %s: p50 %.3f ms, mean %.3f ms, p99 %.3f ms, CPU %.3f ms/request,"
                  + " %.1f voluntary context switches/request; load %s%n", round, jars.get(g), p50[g][round],
              Arrays.stream(latencies).average().orElse(0) / 1e6, latencies[(int) (latencies.length * 0.99)] / 1e6,
              cpu[g][round], switches[g][round], Files.readString(Path.of("/proc/loadavg")).trim());
        }
      }
      for (int g = 0; g < jars.size(); g++) {
        System.out.printf("%s, median of %d rounds: p50 %.3f ms, CPU %.3f ms/request, %.1f voluntary context switches/request%n",
            jars.get(g), rounds, median(p50[g]), median(cpu[g]), median(switches[g]));
      }
    } finally {
      gateways.forEach(Process::destroy);
      emulators.destroy();
    }
    System.exit(0);
  }

  /** Reads until a line starts with or contains {@code marker}; the rest of the output is drained unread. */
  private static String awaitLine(InputStream output, String marker) throws IOException {
    BufferedReader reader = new BufferedReader(new InputStreamReader(output, StandardCharsets.UTF_8));
    String line;
    while ((line = reader.readLine()) != null && !line.contains(marker)) {
      // starting
    }
    if (line == null) {
      throw new IOException("the process ended before saying '" + marker + "'");
    }
    Thread drain = new Thread(() -> {
      try {
        reader.transferTo(Writer.nullWriter());
      } catch (IOException ended) {
        // the process is gone
      }
    });
    drain.setDaemon(true);
    drain.start();
    return line;
  }

  private static long[] send(HttpClient client, int port, List<byte[]> bodies, int count) throws Exception {
    long[] latencies = new long[count];
    for (int i = 0; i < count; i++) {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/messages"))
          .POST(HttpRequest.BodyPublishers.ofByteArray(bodies.get(i % bodies.size())))
          .header("content-type", "application/json").header("x-api-key", Target.MASTER_KEY);
      AgentWorkload.clientHeaders().forEach(request::header);
      long start = System.nanoTime();
      HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      latencies[i] = System.nanoTime() - start;
      if (response.statusCode() != 200) {
        throw new IllegalStateException("status " + response.statusCode() + ": "
            + new String(response.body(), StandardCharsets.UTF_8));
      }
    }
    return latencies;
  }

  /** User and system CPU of a process, in clock ticks. */
  private static long cpuTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  /** Voluntary context switches of all a process's threads: each a thread that went to wait. */
  private static long contextSwitches(long pid) throws IOException {
    long sum = 0;
    try (DirectoryStream<Path> threads = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
      for (Path thread : threads) {
        try {
          for (String line : Files.readAllLines(thread.resolve("status"))) {
            if (line.startsWith("voluntary_ctxt_switches")) {
              sum += Long.parseLong(line.replaceAll("\\D", ""));
            }
          }
        } catch (IOException ended) {
          // the thread ended between listing and reading
        }
      }
    }
    return sum;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
