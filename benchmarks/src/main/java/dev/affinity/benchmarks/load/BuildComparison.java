package dev.affinity.benchmarks.load;

import dev.affinity.emulator.workload.AgentWorkload;
import io.vertx.core.buffer.Buffer;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
 * before.jar,after.jar ROUNDS REQUESTS_PER_BLOCK}; a build may name JVM options after an {@code @}
 * ({@code a.jar,a.jar@-XX:+UseSerialGC}) to compare options of one build.
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
    // the servers run where this was started: the class path and the jars may be given relative to it
    Path here = Path.of("").toAbsolutePath();
    List<ServerProcess> servers = new ArrayList<>();
    try {
      ServerProcess emulators = ServerProcess.start("emulators", List.of(JAVA, "-Xmx1g", "-cp",
              System.getProperty("java.class.path"), LoadEmulators.class.getName(), "2"), here,
          dir.resolve("emulators.log"), LoadEmulators.READY, 60);
      servers.add(emulators);
      Map<String, Integer> ports = LoadEmulators.ports(emulators.readyLine);
      Path config = dir.resolve("bench-config.yaml");
      Files.writeString(config, LoadBench.benchConfig(ports.get("fast"), ports.get("paced"), ports.get("slow"), true));
      List<ServerProcess> gateways = new ArrayList<>();
      List<Integer> gatewayPorts = new ArrayList<>();
      for (int i = 0; i < jars.size(); i++) {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
          port = free.getLocalPort();
        }
        int clusterPort = 20000 + ThreadLocalRandom.current().nextInt(20000);
        // a build is a jar, or a jar and the JVM options to run it with after an @: a.jar@-XX:+UseSerialGC
        String[] build = jars.get(i).split("@", 2);
        List<String> command = new ArrayList<>(List.of(JAVA, "-Xmx1g"));
        if (build.length > 1) {
          command.addAll(Arrays.asList(build[1].trim().split("\\s+")));
        }
        command.addAll(List.of("-jar", build[0], "--config", config.toString(), "--port", String.valueOf(port),
            "--cluster-name", "build-comparison-" + ProcessHandle.current().pid() + "-" + i,
            "--cluster-port", String.valueOf(clusterPort), "--cluster-members", "127.0.0.1:" + clusterPort,
            "--log-level", "warn", "--data-dir", dir.resolve("data-" + i).toString()));
        ServerProcess gateway = ServerProcess.start("gateway-" + i, command, here,
            dir.resolve("gateway-" + i + ".log"), "Affinity listening on", 120);
        servers.add(gateway);
        gateways.add(gateway);
        gatewayPorts.add(port);
      }
      compare(jars, gateways, gatewayPorts, rounds, perBlock);
    } finally {
      servers.forEach(ServerProcess::close);
    }
    System.exit(0);
  }

  private static void compare(List<String> jars, List<ServerProcess> gateways, List<Integer> gatewayPorts, int rounds,
                              int perBlock) throws Exception {
    List<byte[]> bodies = Bodies.messages("bench-fast", false).stream().map(Buffer::getBytes).toList();
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
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
        ServerProcess gateway = gateways.get(g);
        long cpuBefore = gateway.cpuMillis();
        long switchesBefore = gateway.voluntaryContextSwitches();
        long[] latencies = send(client, gatewayPorts.get(g), bodies, perBlock);
        cpu[g][round] = (gateway.cpuMillis() - cpuBefore) / (double) perBlock;
        switches[g][round] = (gateway.voluntaryContextSwitches() - switchesBefore) / (double) perBlock;
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

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
