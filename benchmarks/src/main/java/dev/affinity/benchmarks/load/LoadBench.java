package dev.affinity.benchmarks.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.affinity.benchmarks.load.Target.Workload;
import dev.affinity.router.cache.CacheTtl;
import dev.affinity.router.pins.PinLifetime;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The load benchmark: the emulator directly, Affinity and Portkey side by side, in alternating rounds; then the same
 * with three Affinity nodes in one cluster (and three Portkey processes). Run it with {@code scripts/bench-load}; it
 * writes {@code results.json}, {@code results.md} and PNG plots into its output directory. It asserts nothing.
 */
public final class LoadBench {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * A target's JIT is quiet when its compiler threads use at most this share of a core per process, in two segments
   * running: at 2% in one, three nodes were seen compiling in the rounds at 5% (docs/benchmarks.md).
   */
  static final double JIT_QUIET_SHARE = 0.01;
  /**
   * The shortest time from an Affinity target's first warm-up request to its rounds: past the first refresh of the
   * pins it claimed then (5-minute entries are refreshed 2.5 minutes after their claim, see {@link PinLifetime}), so
   * that no node compiles the refresh's path, the pin map's writes and events, in the rounds.
   */
  static final long FIRST_REFRESH_MILLIS = PinLifetime.seconds(CacheTtl.FIVE_MINUTES) * 1000
      - (CacheTtl.FIVE_MINUTES.duration().toMillis() + PinLifetime.slackMillis(CacheTtl.FIVE_MINUTES) / 2) + 10_000;
  /** The longest the warm-up waits for the JIT to go quiet, per process of the target. */
  static final double JIT_SETTLE_SECONDS = 60;
  /** Streams in flight in the warm-up's concurrent stream part. */
  static final int STREAM_WARMUP_IN_FLIGHT = 64;

  /** Sequential requests per gateway process at the end of the warm-up, after its timed parts. */
  private static final int WARMUP_REQUESTS = 5000;
  /**
   * Requests per gateway process of the closed-loop shape in the warm-up: past C2's thresholds (a method is compiled
   * at the top tier after some 5,000 to 15,000 calls, later when the compile queue is long) for every method a request
   * calls once, so that the rounds do not meet code still compiled at the profiling tier.
   */
  private static final int WARMUP_CONCURRENT_REQUESTS = 20_000;

  /** --baseline-jar: another build's affinity.jar, run as the one-node target {@code affinity-base}, or null. */
  private static Path baselineJar;
  /** --baseline-opts: the JVM options of {@code affinity-base} when not the gateways' (say, a flag's effect), or null. */
  private static String baselineOpts;

  /** --stream-in-flight: streams in flight in a second part of the stream phase, or null for none. */
  private static Integer streamsInFlight;

  /** --in-flight: the closed loop's concurrencies, instead of the defaults. */
  private static List<Integer> inFlight;

  private final Settings settings;
  private final List<Measurement> measurements = new ArrayList<>();
  private final List<Map<String, Object>> memory = new ArrayList<>();
  private final List<String> loadAverages = new ArrayList<>();
  private final List<Map<String, Object>> pinTraffic = new ArrayList<>();
  private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
  private final LoadClient client = new LoadClient(vertx);
  private int fast;
  private int paced;
  private int slow;

  /** Command-line settings; --quick shortens everything to a couple of minutes. */
  record Settings(boolean quick, Path out, Path root, Path portkeyDir, List<Integer> nodeCounts, String gatewayOpts,
      boolean jfr, double c1Seconds, int c1Rounds, List<Double> rates, List<Double> clusterRates, double rateSeconds,
      int rateRounds, double streamSeconds, int streamRounds, int openStreams, double warmupSeconds,
      List<String> targets, List<String> phases) {

    /** The options that take a value. */
    private static final Set<String> FLAGS = Set.of("root", "out", "portkey-dir", "nodes", "gateway-opts",
        "baseline-jar", "baseline-opts", "stream-in-flight", "in-flight", "rates", "targets", "phases");

    static Settings parse(String[] args) {
      boolean quick = Arrays.asList(args).contains("--quick");
      Map<String, String> flags = new LinkedHashMap<>();
      for (int i = 0; i < args.length; i++) {
        if (args[i].equals("--quick") || args[i].equals("--jfr")) {
          continue; // the switches, read below
        }
        if (!args[i].startsWith("--")) {
          throw new IllegalArgumentException("unexpected argument '" + args[i] + "' (scripts/bench-load --help)");
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(args[i] + " needs a value");
        }
        flags.put(args[i].substring(2), args[++i]);
      }
      // a misspelt flag would otherwise be ignored and the run measure something else than asked
      Set<String> unknown = new TreeSet<>(flags.keySet());
      unknown.removeAll(FLAGS);
      if (!unknown.isEmpty()) {
        throw new IllegalArgumentException("unknown option(s) --" + String.join(", --", unknown)
            + " (scripts/bench-load --help)");
      }
      Path root = Path.of(flags.getOrDefault("root", ".")).toAbsolutePath().normalize();
      String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
      Path out = Path.of(flags.getOrDefault("out", root.resolve("benchmarks/target/load/" + stamp).toString()));
      Path portkey = Path.of(flags.getOrDefault("portkey-dir",
          System.getProperty("user.home") + "/.cache/affinity-bench/portkey"));
      List<Integer> nodes = Arrays.stream(flags.getOrDefault("nodes", "1,3").split(",")).map(String::trim)
          .map(Integer::parseInt).toList();
      String opts = flags.getOrDefault("gateway-opts", "-Xmx1g");
      boolean jfr = Arrays.asList(args).contains("--jfr");
      if (flags.containsKey("baseline-jar")) {
        baselineJar = Path.of(flags.get("baseline-jar")).toAbsolutePath();
      }
      baselineOpts = flags.get("baseline-opts");
      if (flags.containsKey("stream-in-flight")) {
        streamsInFlight = Integer.parseInt(flags.get("stream-in-flight"));
      }
      if (flags.containsKey("in-flight")) {
        inFlight = Arrays.stream(flags.get("in-flight").split(",")).map(String::trim).map(Integer::parseInt).toList();
      }
      Settings settings = quick
          ? new Settings(true, out, root, portkey, nodes, opts, jfr, 3, 1, List.of(250.0, 1000.0), List.of(500.0), 4,
              1, 3, 1, 200, 2, List.of(), List.of())
          : new Settings(false, out, root, portkey, nodes, opts, jfr, 10, 3, List.of(250.0, 500.0, 1000.0, 2000.0),
              List.of(500.0, 1000.0), 10, 2, 10, 2, 1000, 15, List.of(), List.of());
      if (flags.containsKey("rates")) {
        List<Double> rates = Arrays.stream(flags.get("rates").split(",")).map(String::trim).map(Double::parseDouble)
            .toList();
        settings = settings.with(rates, rates, settings.targets());
      }
      if (flags.containsKey("targets")) {
        settings = settings.with(settings.rates(), settings.clusterRates(),
            Arrays.stream(flags.get("targets").split(",")).map(String::trim).toList());
      }
      if (flags.containsKey("phases")) {
        settings = new Settings(quick, out, root, portkey, nodes, opts, jfr, settings.c1Seconds(), settings.c1Rounds(),
            settings.rates(), settings.clusterRates(), settings.rateSeconds(), settings.rateRounds(),
            settings.streamSeconds(), settings.streamRounds(), settings.openStreams(), settings.warmupSeconds(),
            settings.targets(), Arrays.stream(flags.get("phases").split(",")).map(String::trim).toList());
      }
      return settings;
    }

    private Settings with(List<Double> rates, List<Double> clusterRates, List<String> targets) {
      return new Settings(quick, out, root, portkeyDir, nodeCounts, gatewayOpts, jfr, c1Seconds, c1Rounds, rates,
          clusterRates, rateSeconds, rateRounds, streamSeconds, streamRounds, openStreams, warmupSeconds, targets,
          phases);
    }

    /** Whether a phase (warmup, c1, closed, rates, stream, memory) runs; all do unless --phases names some. */
    boolean runs(String phase) {
      return phases.isEmpty() || phases.contains(phase);
    }

    /** The closed loop's in-flight counts (--in-flight), one node; three nodes run the first only. */
    List<Integer> concurrencies() {
      return inFlight != null ? inFlight : quick ? List.of(8) : List.of(4, 16, 64);
    }

    /** Whether a target (direct, affinity, portkey) takes part; all do unless --targets names some. */
    boolean includes(String target) {
      return targets.isEmpty() || targets.contains(target);
    }
  }

  private LoadBench(Settings settings) {
    this.settings = settings;
  }

  public static void main(String[] args) throws Exception {
    System.setProperty("java.awt.headless", "true");
    Settings settings;
    try {
      settings = Settings.parse(args);
    } catch (IllegalArgumentException badArguments) {
      System.err.println("bench-load: " + badArguments.getMessage());
      System.exit(2);
      return;
    }
    Files.createDirectories(settings.out());
    LoadBench bench = new LoadBench(settings);
    try {
      bench.run();
    } finally {
      bench.vertx.close().await();
    }
    System.exit(0);
  }

  private void run() throws Exception {
    log("results in " + settings.out());
    Map<String, Object> machine = machine();
    try (ServerProcess emulators = startEmulators()) {
      Path config = writeConfig(true);
      Target direct = Target.direct(fast, paced, slow);
      for (int nodes : settings.nodeCounts()) {
        List<ServerProcess> affinityNodes = startAffinity(nodes, config, "affinity");
        List<ServerProcess> portkeys = startPortkey(nodes);
        // one node only: affinity off, and the floor (minimal Vert.x proxies), beside Affinity in the same rounds
        List<ServerProcess> others = new ArrayList<>();
        try {
          Target affinity = Target.affinity(affinityNodes.stream().map(LoadBench::port).toList());
          List<Target> targets = new ArrayList<>();
          if (settings.includes("direct")) {
            targets.add(direct);
          }
          targets.add(affinity);
          Map<String, List<ServerProcess>> processes = new LinkedHashMap<>();
          processes.put(affinity.name, affinityNodes);
          if (nodes == 1 && baselineJar != null) {
            // another build of the gateway (say, main before a change) in the same rounds: before and after in one run
            List<ServerProcess> base = startAffinity(1, config, "affinity-base", baselineJar);
            others.addAll(base);
            Target target = Target.affinity("affinity-base", List.of(port(base.get(0))));
            targets.add(target);
            processes.put(target.name, base);
          }
          if (nodes == 1 && settings.includes("affinity-off")) {
            List<ServerProcess> off = startAffinity(1, writeConfig(false), "affinity-off");
            others.addAll(off);
            Target target = Target.affinity("affinity-off", List.of(port(off.get(0))));
            targets.add(target);
            processes.put(target.name, off);
          }
          if (nodes > 1 && settings.targets().contains("affinity-apart")) {
            // only when named: the same nodes, each a cluster of its own: what co-locating this many gateways costs without any
            // cluster work, so that the clustered run's extra CPU per request can be told apart from the machine's
            List<ServerProcess> apart = startAffinity(nodes, config, "affinity-apart",
                settings.root().resolve("router-verticle/target/affinity.jar"), true);
            others.addAll(apart);
            Target target = Target.affinity("affinity-apart x" + nodes, apart.stream().map(LoadBench::port).toList());
            targets.add(target);
            processes.put(target.name, apart);
          }
          // with three nodes, three floor-parse processes: what three JVMs sharing this machine cost without any
          // cluster, the control for Affinity's three-node CPU per request
          for (String floor : nodes == 1 ? List.of("forward", "parse") : List.of("parse")) {
            if (settings.includes("floor-" + floor)) {
              List<ServerProcess> proxies = new ArrayList<>();
              for (int i = 0; i < nodes; i++) {
                proxies.add(startFloor(floor, nodes, i));
              }
              others.addAll(proxies);
              Target target = Target.floor("floor-" + floor + (nodes == 1 ? "" : " x" + nodes),
                  proxies.stream().map(portOf::get).toList());
              targets.add(target);
              processes.put(target.name, proxies);
            }
          }
          if (!portkeys.isEmpty()) {
            Target portkey = Target.portkey(portkeys.stream().map(LoadBench::port).toList(), fast, paced, slow);
            targets.add(portkey);
            processes.put(portkey.name, portkeys);
          }
          runAll(nodes, targets, processes);
        } finally {
          affinityNodes.forEach(ServerProcess::close);
          portkeys.forEach(ServerProcess::close);
          others.forEach(ServerProcess::close);
        }
      }
    }
    Map<String, Object> results = new LinkedHashMap<>();
    results.put("machine", machine);
    results.put("settings", settings.toString());
    results.put("load_averages", loadAverages);
    results.put("measurements", measurements.stream().map(Measurement::toMap).toList());
    results.put("memory", memory);
    results.put("pin_traffic", pinTraffic);
    JSON.writeValue(settings.out().resolve("results.json").toFile(), results);
    new LoadReport(settings, machine, measurements, memory, loadAverages).write(settings.out());
    log("done: " + settings.out().resolve("results.md"));
  }

  private void runAll(int nodes, List<Target> targets, Map<String, List<ServerProcess>> processes)
      throws InterruptedException {
    loadAverage(nodes + " node(s): start");
    log(nodes + " node(s): warm-up");
    Map<String, Long> warmupStart = new HashMap<>();
    for (Target target : settings.runs("warmup") ? targets : List.<Target>of()) {
      warmupStart.put(target.name, System.nanoTime());
      // every process of a target as warm as a single one: requests go to node i mod n, so n nodes get n times the
      // warm-up (each JVM compiles the same code, and a node that saw a third of the requests is measured colder)
      double seconds = settings.warmupSeconds() * Math.max(1, target.ports.size());
      client.sequential(target.calls(Workload.MESSAGES), seconds, false);
      client.fixedRate(target.calls(Workload.MESSAGES), 200, seconds, false, 3);
      client.sequential(target.calls(Workload.CHAT_STREAM), seconds / 2, true);
      if (target.supports(Workload.MESSAGES_STREAM)) {
        client.sequential(target.calls(Workload.MESSAGES_STREAM), seconds / 2, true);
      }
      // A stream's first-event path runs once per stream, and a paced stream lasts some 200 ms: one at a time gives a
      // few hundred in the warm-up; many at once give each target a few thousand, so that no process on the path
      // (the emulator's included) serves measured first events from code the JIT has not compiled
      client.closedLoop(target.calls(Workload.CHAT_STREAM), STREAM_WARMUP_IN_FLIGHT, seconds / 3, true);
      if (target.supports(Workload.MESSAGES_STREAM)) {
        client.closedLoop(target.calls(Workload.MESSAGES_STREAM), STREAM_WARMUP_IN_FLIGHT, seconds / 3, true);
      }
      // then a count, for a busy machine where the time above gets few requests: WARMUP_REQUESTS more sequential
      // requests of the measured shape per process before the first measured round
      long goal = (long) WARMUP_REQUESTS * Math.max(1, target.ports.size());
      long done = 0;
      while (!settings.quick() && done < goal) {
        done += client.sequential(target.calls(Workload.MESSAGES), 5, false).ok;
      }
      log(String.format("warm-up %s: topped up with %d sequential requests (goal %d)", target.name, done, goal));
      // and the closed loop's shape (several requests in flight on each event loop take other branches), counted per
      // process: three nodes that each saw a third of a one-node warm-up were measured still compiling in the rounds
      long concurrentGoal = (long) WARMUP_CONCURRENT_REQUESTS * Math.max(1, target.ports.size());
      long concurrent = 0;
      while (!settings.quick() && settings.runs("closed") && concurrent < concurrentGoal) {
        concurrent += client.closedLoop(target.calls(Workload.MESSAGES), warmupInFlight(), 5, false).ok;
      }
      if (concurrent > 0) {
        log(String.format("warm-up %s: %d requests at %d in flight (goal %d)", target.name, concurrent,
            warmupInFlight(), concurrentGoal));
      }
    }
    // the pin-traffic reading before the rounds is a GET of /metrics on a new connection, which the warm-up's POSTs
    // never made: in each node it hits uncommon traps on the request path's compiled code (Netty's decoder, Vert.x's
    // router and response, AccessLog), top-tier methods thrown away and compiled again during the rounds
    // (docs/benchmarks.md, "The JIT in the three-node rounds"). One reading here was not enough: the code compiled
    // again after it, from a profile of POSTs, trapped again at the next reading (the first c=1 round compiled for
    // 0.5 s per node). So the wait for a quiet JIT below reads them too, in every segment.
    if (settings.runs("warmup")) {
      pinCounts(targets);
    }
    // last, every target until its JIT is quiet, right before the rounds: JVMs that had gone quiet and then idled
    // through the other targets' warm-ups (minutes, for three nodes) were seen compiling again in the rounds
    for (Target target : settings.runs("warmup") && !settings.quick() ? targets : List.<Target>of()) {
      untilCompiled(target, processes.get(target.name), target.kind == Target.Kind.AFFINITY
          ? warmupStart.get(target.name) + FIRST_REFRESH_MILLIS * 1_000_000 : System.nanoTime());
    }
    loadAverage(nodes + " node(s): concurrency 1");
    Map<String, long[]> pinsBefore = pinCounts(targets);
    Map<String, Long> served = new LinkedHashMap<>();
    for (int round = 0; round < (settings.runs("c1") ? settings.c1Rounds() : 0); round++) {
      for (Target target : rotated(targets, round)) {
        CpuReading cpu = CpuReading.of(processes.get(target.name));
        LoadClient.Result result = client.sequential(target.calls(Workload.MESSAGES), settings.c1Seconds(), false);
        CpuReading spent = CpuReading.of(processes.get(target.name)).since(cpu);
        cell("concurrency-1", nodes, Workload.MESSAGES, target, 0).add(result, spent);
        served.merge(target.name, result.ok, Long::sum);
        // the round's own CPU per request: the report sums the rounds, and one disturbed round is seen only here
        log(String.format("c=1 %-12s round %d: %d ok, p50 %.3f ms, p99 %.3f ms, CPU %.3f ms/req, JIT %d ms",
            target.name, round, result.ok, Measurement.ms(result.latency, 50), Measurement.ms(result.latency, 99),
            spent.millisPer(result.ok),
            spent.byRole().getOrDefault(ServerProcess.ThreadRole.JIT, 0L)));
      }
    }
    recordPinTraffic(nodes, "concurrency-1", targets, pinsBefore, served);
    loadAverage(nodes + " node(s): closed loop");
    for (int concurrency : !settings.runs("closed") ? List.<Integer>of()
        : nodes == 1 ? settings.concurrencies() : List.of(inFlight != null ? inFlight.get(0) : 16)) {
      for (int round = 0; round < settings.rateRounds(); round++) {
        for (Target target : rotated(targets, round)) {
          CpuReading cpu = CpuReading.of(processes.get(target.name));
          LoadClient.Result result = client.closedLoop(target.calls(Workload.MESSAGES), concurrency,
              settings.rateSeconds(), false);
          CpuReading spent = CpuReading.of(processes.get(target.name)).since(cpu);
          cell("closed-loop", nodes, Workload.MESSAGES, target, concurrency).add(result, spent);
          log(String.format("%3d in flight %-12s round %d: %.0f rps, %d errors, p50 %.2f ms, p99 %.2f ms,"
              + " CPU %.3f ms/req", concurrency, target.name, round, result.throughput(), result.errors,
              Measurement.ms(result.latency, 50), Measurement.ms(result.latency, 99),
              spent.millisPer(result.ok)));
        }
      }
    }
    List<Double> rates = !settings.runs("rates") ? List.of() : nodes == 1 ? settings.rates() : settings.clusterRates();
    loadAverage(nodes + " node(s): fixed rates");
    for (double rate : rates) {
      for (int round = 0; round < settings.rateRounds(); round++) {
        for (Target target : rotated(targets, round)) {
          CpuReading cpu = CpuReading.of(processes.get(target.name));
          LoadClient.Result result = client.fixedRate(target.calls(Workload.MESSAGES), rate, settings.rateSeconds(),
              false, settings.quick() ? 3 : 5);
          cell("fixed-rate", nodes, Workload.MESSAGES, target, rate)
              .add(result, CpuReading.of(processes.get(target.name)).since(cpu));
          log(String.format("%5.0f rps %-12s round %d: %.0f rps done, %d errors, %d timed out, p50 %.2f ms,"
              + " p99 %.2f ms", rate, target.name, round, result.throughput(), result.errors, result.timedOut,
              Measurement.ms(result.latency, 50), Measurement.ms(result.latency, 99)));
          recover(target);
        }
      }
      loadAverage(nodes + " node(s): after " + (int) rate + " rps");
    }
    loadAverage(nodes + " node(s): streaming");
    for (int round = 0; round < (settings.runs("stream") ? settings.streamRounds() : 0); round++) {
      for (Workload workload : List.of(Workload.CHAT_STREAM, Workload.MESSAGES_STREAM)) {
        for (Target target : rotated(targets, round)) {
          if (!target.supports(workload)) {
            continue;
          }
          // one stream at a time, then (--stream-in-flight) several: alone, a stream's first event comes after the
          // machine idled through the last stream's token gaps, and every process on the path resumes with cold
          // caches (docs/benchmarks.md, "Streams: the first event after idle")
          for (int inFlight : streamsInFlight == null ? List.of(1) : List.of(1, streamsInFlight)) {
            CpuReading cpu = CpuReading.of(processes.get(target.name));
            LoadClient.Result result = inFlight == 1
                ? client.sequential(target.calls(workload), settings.streamSeconds(), true)
                : client.closedLoop(target.calls(workload), inFlight, settings.streamSeconds(), true);
            cell("streaming", nodes, workload, target, inFlight)
                .add(result, CpuReading.of(processes.get(target.name)).since(cpu));
            log(String.format("stream %-15s %-12s %2d in flight, round %d: %d ok, first event p50 %.3f ms,"
                    + " gap p50 %.3f ms", workload, target.name, inFlight, round, result.ok,
                Measurement.ms(result.firstEvent, 50), Measurement.ms(result.gaps, 50)));
          }
        }
      }
    }
    loadAverage(nodes + " node(s): open streams");
    for (Target target : settings.runs("memory") ? targets : List.<Target>of()) {
      List<ServerProcess> servers = processes.get(target.name);
      // the floor proxies take no held streams (they have no HOLD workload)
      if (servers != null && !servers.isEmpty() && target.supports(Workload.HOLD)) {
        memory.add(holdStreams(nodes, target, servers));
      }
    }
    loadAverage(nodes + " node(s): end");
  }

  /**
   * Pin keys written and pin-map events heard, summed over each Affinity target's nodes, from their /metrics:
   * the cluster work of the requests between two readings.
   */
  private Map<String, long[]> pinCounts(List<Target> targets) {
    Map<String, long[]> counts = new LinkedHashMap<>();
    for (Target target : targets) {
      if (target.kind != Target.Kind.AFFINITY) {
        continue;
      }
      long[] sum = new long[2];
      for (int port : target.ports) {
        try {
          java.net.http.HttpResponse<String> metrics = java.net.http.HttpClient.newHttpClient().send(
              java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/metrics"))
                  .header("x-api-key", Target.MASTER_KEY).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
          for (String line : metrics.body().split("\n")) {
            if (line.startsWith("affinity_pin_writes_total")) {
              sum[0] += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            } else if (line.startsWith("affinity_pin_events_total")) {
              sum[1] += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
          }
        } catch (IOException | RuntimeException e) {
          log("no metrics from port " + port + ": " + e.getMessage());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      counts.put(target.name, sum);
    }
    return counts;
  }

  private void recordPinTraffic(int nodes, String phase, List<Target> targets, Map<String, long[]> before,
                                Map<String, Long> served) {
    Map<String, long[]> after = pinCounts(targets);
    after.forEach((name, counts) -> {
      long requests = served.getOrDefault(name, 0L);
      if (requests == 0) {
        return;
      }
      long[] was = before.getOrDefault(name, new long[2]);
      Map<String, Object> reading = new LinkedHashMap<>();
      reading.put("nodes", nodes);
      reading.put("phase", phase);
      reading.put("target", name);
      reading.put("requests", requests);
      reading.put("pin_keys_written", counts[0] - was[0]);
      reading.put("pin_events_heard", counts[1] - was[1]);
      pinTraffic.add(reading);
      log(String.format("%s %s: %d requests, %d pin keys written, %d pin-map events heard (all nodes): %.2f and %.2f"
          + " per 1,000 requests", phase, name, requests, counts[0] - was[0], counts[1] - was[1],
          1000.0 * (counts[0] - was[0]) / requests, 1000.0 * (counts[1] - was[1]) / requests));
    });
  }

  /** Holds the open streams through one gateway and reads its memory. */
  private Map<String, Object> holdStreams(int nodes, Target target, List<ServerProcess> servers)
      throws InterruptedException {
    boolean jvm = target.kind == Target.Kind.AFFINITY;
    if (jvm) {
      servers.forEach(ServerProcess::collect);
    }
    Map<String, Object> reading = new LinkedHashMap<>();
    reading.put("target", target.name);
    reading.put("nodes", nodes);
    reading.put("workload", target.kind == Target.Kind.AFFINITY ? "Messages, 50 KB, streamed" : "Chat, 50 KB, streamed");
    reading.put("idle_rss_kb", servers.stream().map(ServerProcess::rssKb).toList());
    if (jvm) {
      reading.put("idle_heap_used_kb_after_gc", servers.stream().map(s -> s.heapKb()[1]).toList());
    }
    log("holding " + settings.openStreams() + " streams through " + target.name);
    try (LoadClient.Hold hold = client.hold(target.calls(Workload.HOLD), settings.openStreams(), 250, 60)) {
      Thread.sleep(3000);
      long[] counts = hold.counts();
      reading.put("open_streams", counts[0]);
      reading.put("failed_or_ended_streams", counts[1]);
      reading.put("failures", hold.result().errorKinds);
      reading.put("rss_kb", servers.stream().map(ServerProcess::rssKb).toList());
      if (jvm) {
        reading.put("heap_total_kb", servers.stream().map(s -> s.heapKb()[0]).toList());
        reading.put("heap_used_kb", servers.stream().map(s -> s.heapKb()[1]).toList());
        servers.forEach(ServerProcess::collect);
        reading.put("heap_used_kb_after_gc", servers.stream().map(s -> s.heapKb()[1]).toList());
        // what the live heap is made of, for the first node
        try {
          Files.writeString(settings.out().resolve("heap-histogram-" + nodes + "node.txt"),
              servers.get(0).jcmd("GC.class_histogram"));
        } catch (IOException e) {
          log("no heap histogram: " + e.getMessage());
        }
        reading.put("rss_kb_after_gc", servers.stream().map(ServerProcess::rssKb).toList());
      }
      reading.put("open_streams_at_end", hold.counts()[0]);
      reading.put("first_event_ms_p50", Measurement.ms(hold.result().firstEvent, 50));
      reading.put("first_event_ms_p99", Measurement.ms(hold.result().firstEvent, 99));
    }
    log("memory " + reading);
    Thread.sleep(3000);
    return reading;
  }

  /** After an overload, give the server a moment, then a few requests that are not measured. */
  private void recover(Target target) throws InterruptedException {
    Thread.sleep(settings.quick() ? 500 : 1500);
    client.sequential(target.calls(Workload.MESSAGES), 0.5, false);
  }

  private Measurement cell(String phase, int nodes, Workload workload, Target target, double rate) {
    for (Measurement m : measurements) {
      if (m.phase.equals(phase) && m.nodes == nodes && m.workload == workload && m.target.equals(target.name)
          && m.rate == rate) {
        return m;
      }
    }
    Measurement m = new Measurement(phase, nodes, workload, target.name, rate);
    measurements.add(m);
    return m;
  }

  /**
   * Goes on with requests of the measured shapes until the JIT of the target's JVMs is done with them: no compiler
   * thread busier than {@link #JIT_QUIET_SHARE} of a core in two 5-second segments running, summed over the target's
   * processes, and not before {@code notBeforeNanos}; or until {@link #JIT_SETTLE_SECONDS} per process after that. A count of requests warms one JVM as much as three on a
   * quiet machine, but three JVMs that share two cores with the client and the emulators compile more slowly; rounds
   * measured while they still compile book a cost per JVM as a cost per request (docs/benchmarks.md).
   */
  private void untilCompiled(Target target, List<ServerProcess> servers, long notBeforeNanos) {
    if (servers == null) {
      return;
    }
    double segment = 5;
    long quietMillis = Math.round(JIT_QUIET_SHARE * segment * 1000 * servers.size());
    long deadline = Math.max(notBeforeNanos, System.nanoTime()) + Math.round(JIT_SETTLE_SECONDS * 1e9 * servers.size());
    long jit;
    int segments = 0;
    int quietInARow = 0;
    do {
      CpuReading before = CpuReading.of(servers);
      // both measured shapes in every segment: quiet at one request at a time is not quiet at many
      if (settings.runs("closed")) {
        client.sequential(target.calls(Workload.MESSAGES), segment / 2, false);
        client.closedLoop(target.calls(Workload.MESSAGES), warmupInFlight(), segment / 2, false);
      } else {
        client.sequential(target.calls(Workload.MESSAGES), segment, false);
      }
      // and the reading the rounds are framed by: quiet is only quiet once it no longer makes the nodes recompile
      pinCounts(List.of(target));
      jit = CpuReading.of(servers).since(before).byRole().get(ServerProcess.ThreadRole.JIT);
      segments++;
      quietInARow = jit <= quietMillis ? quietInARow + 1 : 0;
    } while ((quietInARow < 2 || System.nanoTime() < notBeforeNanos) && System.nanoTime() < deadline);
    log(String.format("warm-up %s: %d more segment(s) of %.0f s until compiled; the JIT's last: %d ms (%s)",
        target.name, segments, segment, jit, quietInARow >= 2 ? "quiet" : "still compiling at the limit"));
  }

  /** The closed loop's largest measured in-flight count, the warm-up's concurrency. */
  private int warmupInFlight() {
    return settings.concurrencies().stream().max(Integer::compare).orElse(16);
  }

  private static List<Target> rotated(List<Target> targets, int round) {
    List<Target> order = new ArrayList<>(targets);
    java.util.Collections.rotate(order, -round);
    return order;
  }

  private ServerProcess startEmulators() throws IOException, InterruptedException {
    List<String> command = List.of(java(), "-Xmx1g", "-cp", System.getProperty("java.class.path"),
        LoadEmulators.class.getName(), "2");
    ServerProcess emulators = ServerProcess.start("emulators", command, settings.root(),
        settings.out().resolve("emulators.log"), LoadEmulators.READY, 60);
    Map<String, Integer> ports = LoadEmulators.ports(emulators.readyLine);
    fast = ports.get("fast");
    paced = ports.get("paced");
    slow = ports.get("slow");
    log("emulators: " + ports);
    return emulators;
  }

  private Path writeConfig(boolean affinityOn) throws IOException {
    Path config = settings.out().resolve(affinityOn ? "bench-config.yaml" : "bench-config-affinity-off.yaml");
    Files.writeString(config, benchConfig(fast, paced, slow, affinityOn));
    return config;
  }

  /** The gateway's configuration for the benchmark, its deployments on the emulators' ports. */
  static String benchConfig(int fast, int paced, int slow, boolean affinityOn) throws IOException {
    String template;
    try (InputStream in = LoadBench.class.getResourceAsStream("/load/bench-config.yaml")) {
      template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    if (!affinityOn) {
      template = template.replace("enable_prompt_cache_affinity: true", "enable_prompt_cache_affinity: false");
    }
    return template.replace("${FAST}", String.valueOf(fast)).replace("${PACED}", String.valueOf(paced))
        .replace("${SLOW}", String.valueOf(slow));
  }

  private List<ServerProcess> startAffinity(int nodes, Path config, String label)
      throws IOException, InterruptedException {
    return startAffinity(nodes, config, label, settings.root().resolve("router-verticle/target/affinity.jar"));
  }

  private List<ServerProcess> startAffinity(int nodes, Path config, String label, Path jar)
      throws IOException, InterruptedException {
    return startAffinity(nodes, config, label, jar, false);
  }

  /** @param apart each node a cluster of its own (a name and a member list of its own) instead of one cluster */
  private List<ServerProcess> startAffinity(int nodes, Path config, String label, Path jar, boolean apart)
      throws IOException, InterruptedException {
    // a cluster of our own: a name and ports no other node on this machine uses
    String name = "bench-load-" + ProcessHandle.current().pid() + "-" + label + "-" + nodes;
    int clusterPort = 20000 + ThreadLocalRandom.current().nextInt(20000);
    String all = java.util.stream.IntStream.range(0, nodes).mapToObj(i -> "127.0.0.1:" + (clusterPort + i))
        .collect(Collectors.joining(","));
    List<ServerProcess> started = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      String cluster = apart ? name + "-" + i : name;
      String members = apart ? "127.0.0.1:" + (clusterPort + i) : all;
      int port = freePort();
      List<String> command = new ArrayList<>(List.of(java()));
      String opts = label.equals("affinity-base") && baselineOpts != null ? baselineOpts : settings.gatewayOpts();
      command.addAll(Arrays.asList(opts.trim().split("\\s+")));
      if (settings.jfr()) {
        command.add("-XX:StartFlightRecording=filename=" + settings.out().resolve(label + "-" + nodes + "-" + i
            + ".jfr") + ",settings=profile");
      }
      command.addAll(List.of("-jar", jar.toString(), "--config", config.toString(), "--port", String.valueOf(port),
          "--cluster-name", cluster, "--cluster-port", String.valueOf(clusterPort + i), "--cluster-members", members,
          "--log-level", "warn", "--data-dir", settings.out().resolve(label + "-data-" + nodes + "-" + i).toString()));
      started.add(ServerProcess.start("affinity-" + port, command, settings.root(),
          settings.out().resolve(label + "-" + nodes + "-" + i + ".log"), "Affinity listening on", 120));
    }
    log(label + ": " + started.stream().map(s -> s.readyLine).toList());
    return started;
  }

  /** A {@link FloorProxy}, {@code forward} or {@code parse}, in a JVM of its own with the gateway's options. */
  private ServerProcess startFloor(String mode, int nodes, int index) throws IOException, InterruptedException {
    int port = freePort();
    List<String> command = new ArrayList<>(List.of(java()));
    command.addAll(Arrays.asList(settings.gatewayOpts().trim().split("\\s+")));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), FloorProxy.class.getName(), mode,
        String.valueOf(port), String.valueOf(fast), String.valueOf(paced), String.valueOf(slow)));
    ServerProcess proxy = ServerProcess.start("floor-" + mode, command, settings.root(),
        settings.out().resolve("floor-" + mode + "-" + nodes + "-" + index + ".log"), "FloorProxy listening on", 60);
    portOf.put(proxy, port);
    log("floor-" + mode + ": " + proxy.readyLine);
    return proxy;
  }

  private List<ServerProcess> startPortkey(int nodes) throws IOException, InterruptedException {
    if (!settings.includes("portkey")) {
      return List.of();
    }
    Path server = settings.portkeyDir().resolve("node_modules/@portkey-ai/gateway/build/start-server.js");
    if (!Files.exists(server)) {
      log("no Portkey at " + server + ": skipped (scripts/bench-load installs it)");
      return List.of();
    }
    List<ServerProcess> started = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      int port = freePort();
      started.add(ServerProcess.start("portkey-" + port, List.of("node", server.toString(), "--port=" + port,
          "--headless"), settings.portkeyDir(), settings.out().resolve("portkey-" + nodes + "-" + i + ".log"),
          "Ready for connections", 60));
      portOf.put(started.get(i), port);
    }
    log("portkey: " + started.stream().map(s -> s.pid()).toList());
    return started;
  }

  private static final Map<ServerProcess, Integer> portOf = new java.util.concurrent.ConcurrentHashMap<>();

  private static int port(ServerProcess server) {
    Integer known = portOf.get(server);
    if (known != null) {
      return known;
    }
    // "Affinity listening on http://127.0.0.1:PORT (node ...)"
    String url = server.readyLine.substring(server.readyLine.indexOf("http://"));
    String hostPort = url.substring("http://".length()).split("[ /]")[0];
    return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private void loadAverage(String when) {
    try {
      String line = Files.readString(Path.of("/proc/loadavg")).trim();
      loadAverages.add(Instant.now() + " " + when + ": " + line);
    } catch (IOException e) {
      // not Linux
    }
  }

  private static Map<String, Object> machine() throws IOException {
    Map<String, Object> machine = new LinkedHashMap<>();
    machine.put("cpus", Runtime.getRuntime().availableProcessors());
    try {
      Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name")).findFirst()
          .ifPresent(l -> machine.put("cpu", l.substring(l.indexOf(':') + 1).trim()));
      Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal")).findFirst()
          .ifPresent(l -> machine.put("memory", l.replaceAll("\\s+", " ")));
    } catch (IOException e) {
      // not Linux
    }
    machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    try {
      Process node = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      machine.put("node", new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
      node.waitFor(10, TimeUnit.SECONDS);
    } catch (IOException | InterruptedException e) {
      machine.put("node", "absent");
    }
    return machine;
  }

  static void log(String message) {
    System.out.println("[bench-load " + DateTimeFormatter.ISO_LOCAL_TIME.withZone(ZoneOffset.UTC).format(Instant.now())
        + "] " + message);
    System.out.flush();
  }
}
