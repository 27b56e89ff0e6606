package dev.affinity.benchmarks.hits;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.emulator.AccountCounters;
import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.Fault;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.emulator.UpstreamEmulator;
import dev.affinity.emulator.workload.AgentWorkload;
import dev.affinity.emulator.workload.MessageReply;
import dev.affinity.emulator.workload.Usage;
import dev.affinity.model.config.ConfigLoader;
import dev.affinity.router.node.AffinityNode;
import dev.affinity.router.node.ClusterSettings;
import dev.affinity.router.node.LogSetup;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The hit-efficiency replay: the same multi-tenant agent workload through each routing {@link Policy}, each against
 * fresh upstream-emulator accounts (one prompt cache per account), judged by the emulator's counters. Writes a
 * markdown table, a JSON file, the requests that read less than the ideal, and a PNG plot into the output directory.
 *
 * <p>Requests go in the order of a {@link TrafficSchedule}, one at a time unless {@code --in-flight} says otherwise
 * (see {@link #play}), and each policy's emulator runs on a
 * virtual clock moved to each request's time, so cache entries expire (5 minutes) as they would in the schedule's
 * hour, while the replay itself takes seconds. The gateway's pins live on the wall clock and never expire during a
 * run; a pin that outlives its cache entry sends the request where the ideal would also have to write again.
 *
 * <p>Run with {@code scripts/bench-replay}; {@code --help} lists the options.
 */
public final class HitEfficiencyReplay {

  static final String MODEL = "claude-sonnet-4-5-20250929";
  private static final String MASTER_KEY = "sk-bench-replay";
  private static final Instant EPOCH = Instant.parse("2026-01-05T09:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();
  // held so that the level set on it is not collected with it
  private static final Logger HAZELCAST_LOG = Logger.getLogger("com.hazelcast");
  private static final Logger MEMBERSHIP_LOG = Logger.getLogger("com.hazelcast.internal.cluster.ClusterService");

  static final String USAGE = """
      Usage: HitEfficiencyReplay [options]
        --out DIR                  where the results go (default benchmarks/target/hit-efficiency)
        --seed N                   workload and schedule seed (default 7)
        --tenants N                tenants (default 5)
        --sessions-per-tenant N    sessions of each tenant (default 10)
        --turns N                  requests per session (default 10)
        --workloads LIST           shared-agent,own-prompts (default both)
        --policies LIST            ideal,affinity,random,round-robin,prefix-hash,system-hash (default all;
                                   ideal always runs, the others are measured against it)
        --in-flight N              requests in flight at once (default 1: one at a time, in schedule order;
                                   more lets concurrent requests race, each session still one turn at a time,
                                   and the emulator's clock then stays still: nothing expires)
        --plot FILE                also write the plot there (e.g. docs/img/hit-efficiency.png)
        --fail-at-minute M         failure schedule: deployment d1 answers 529 to every request of the gateway
                                   policies sent while the schedule's clock is in minute [M, M+1) (default none)
        --router-settings TEXT     more router_settings for the gateway policies, e.g.
                                   "balance_abs_threshold: 5, balance_rel_threshold: 1.2"
      """;

  /** Parsed command line. */
  record Options(Path out, long seed, int tenants, int sessionsPerTenant, int turns,
      List<TenantWorkload.Kind> workloads, List<Policy> policies, int inFlight, Path plot, int failAtMinute,
      String routerSettings) {

    static Options parse(String[] args) {
      Path out = Path.of("benchmarks", "target", "hit-efficiency");
      long seed = 7;
      int tenants = 5;
      int sessionsPerTenant = 10;
      int turns = 10;
      List<TenantWorkload.Kind> workloads = List.of(TenantWorkload.Kind.values());
      List<Policy> policies = List.of(Policy.values());
      Path plot = null;
      int inFlight = 1;
      int failAtMinute = -1;
      String routerSettings = "";
      for (int i = 0; i < args.length; i++) {
        String flag = args[i];
        if (flag.equals("--help") || flag.equals("-h")) {
          return null;
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(flag + " needs a value");
        }
        String value = args[++i];
        switch (flag) {
          case "--out" -> out = Path.of(value);
          case "--seed" -> seed = Long.parseLong(value);
          case "--tenants" -> tenants = positive(flag, value);
          case "--sessions-per-tenant" -> sessionsPerTenant = positive(flag, value);
          case "--turns" -> turns = positive(flag, value);
          case "--workloads" -> workloads = split(value).stream().map(TenantWorkload.Kind::of).toList();
          case "--policies" -> {
            List<Policy> chosen = new ArrayList<>(List.of(Policy.IDEAL));
            split(value).stream().map(Policy::of).filter(policy -> !chosen.contains(policy)).forEach(chosen::add);
            policies = List.copyOf(chosen);
          }
          case "--plot" -> plot = Path.of(value);
          case "--in-flight" -> inFlight = positive(flag, value);
          case "--fail-at-minute" -> failAtMinute = Integer.parseInt(value);
          case "--router-settings" -> routerSettings = value;
          default -> throw new IllegalArgumentException("unknown option " + flag);
        }
      }
      return new Options(out, seed, tenants, sessionsPerTenant, turns, workloads, policies, inFlight, plot,
          failAtMinute, routerSettings);
    }

    private static int positive(String flag, String value) {
      int number = Integer.parseInt(value);
      if (number < 1) {
        throw new IllegalArgumentException(flag + " must be at least 1");
      }
      return number;
    }

    private static List<String> split(String list) {
      return List.of(list.split(",")).stream().map(String::trim).filter(item -> !item.isEmpty()).toList();
    }
  }

  private final Options options;
  private final Vertx vertx;
  private final HttpClient client = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10))
      .build();

  private HitEfficiencyReplay(Options options, Vertx vertx) {
    this.options = options;
    this.vertx = vertx;
  }

  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.err.print(USAGE);
      System.exit(2);
      return;
    }
    if (options == null) {
      System.out.print(USAGE);
      return;
    }
    LogSetup.configure("warn");
    // a gateway node starts per policy: Hazelcast's start-up notices would bury the results
    HAZELCAST_LOG.setLevel(Level.SEVERE);
    MEMBERSHIP_LOG.setLevel(Level.SEVERE);
    Vertx vertx = Vertx.vertx();
    List<PolicyResult> results = new ArrayList<>();
    try {
      HitEfficiencyReplay replay = new HitEfficiencyReplay(options, vertx);
      for (TenantWorkload.Kind workload : options.workloads()) {
        for (Policy policy : options.policies()) {
          PolicyResult result = replay.run(workload, policy);
          results.add(result);
          System.out.printf(Locale.ROOT, "%-12s %-12s %4d requests, %d errors, reads %,d, writes %,d (%.1f s)%n",
              workload.label(), policy.id(), result.sent().size(), result.errors(),
              result.judged().cacheReadInputTokens(), result.judged().cacheCreationInputTokens(),
              result.elapsedMillis() / 1000.0);
          Map<String, Long> routes = new java.util.TreeMap<>();
          result.sent().forEach(sent -> routes.merge(sent.route(), 1L, Long::sum));
          System.out.printf(Locale.ROOT, "%-12s %-12s routes %s, requests per deployment %s%n", workload.label(),
              policy.id(), routes, result.requestsPerDeployment());
        }
      }
    } finally {
      await(vertx.close());
    }
    EfficiencyReport report = new EfficiencyReport(options, results);
    report.write(options.out());
    EfficiencyChart.write(results, options.out().resolve("hit-efficiency.png"));
    if (options.plot() != null) {
      EfficiencyChart.write(results, options.plot());
    }
    System.out.println();
    System.out.print(report.markdown());
    System.out.println();
    System.out.println("Written to " + options.out().toAbsolutePath());
    boolean failed = results.stream().anyMatch(result -> result.errors() > 0);
    System.exit(failed ? 1 : 0);
  }

  private PolicyResult run(TenantWorkload.Kind kind, Policy policy) throws Exception {
    EmulatorOptions emulatorOptions = new EmulatorOptions()
        .setLatency(LatencyModel.ZERO)
        .setClock(Clock.fixed(EPOCH, ZoneOffset.UTC))
        .setCapturedRequestsPerAccount(0);
    for (int d = 1; d <= policy.deployments(); d++) {
      emulatorOptions.addAccount(account(d), apiKey(d));
    }
    UpstreamEmulator emulator = await(UpstreamEmulator.start(vertx, emulatorOptions));
    AffinityNode gateway = null;
    try {
      if (policy.routerSettings().isPresent()) {
        gateway = await(AffinityNode.start(ConfigLoader.parse(gatewayConfig(policy, emulator, options.routerSettings()), Map.of()),
            ClusterSettings.loopback("hit-efficiency-" + UUID.randomUUID()), "127.0.0.1", freePort()));
      }
      List<TenantWorkload.TenantSession> sessions = TenantWorkload.sessions(kind, options.seed(), options.tenants(),
          options.sessionsPerTenant(), MODEL);
      List<TrafficSchedule.Slot> schedule = TrafficSchedule.of(sessions.size(), options.turns(), options.seed(),
          TrafficSchedule.Pacing.AGENT);
      PolicyResult.Sent[] sent = new PolicyResult.Sent[schedule.size()];
      long started = System.nanoTime();
      play(schedule, sessions, policy, emulator, gateway, sent);
      long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      Usage judged = Usage.ZERO;
      Map<String, Long> perDeployment = new LinkedHashMap<>();
      for (int d = 1; d <= policy.deployments(); d++) {
        AccountCounters counters = emulator.counters(account(d));
        judged = judged.plus(new Usage(counters.inputTokens(), counters.cacheCreationInputTokens(),
            counters.cacheReadInputTokens(), counters.outputTokens()));
        perDeployment.put(account(d), counters.requests());
      }
      return new PolicyResult(kind, policy, judged, perDeployment, List.of(sent), elapsed);
    } finally {
      if (gateway != null) {
        await(gateway.close());
      }
      await(emulator.close());
    }
  }

  /**
   * Sends the schedule's requests in order, at most {@code --in-flight} at once; a session's turn waits for its
   * previous turn's answer, which it carries. One at a time, the emulator's clock moves to each request's time as it
   * is sent. With several in flight it stays still (nothing expires): one clock cannot be right for requests in
   * flight at once, and moving it to a later request's time would expire entries under an earlier one still in the
   * gateway, which penalises the slower path.
   */
  private void play(List<TrafficSchedule.Slot> schedule, List<TenantWorkload.TenantSession> sessions, Policy policy,
      UpstreamEmulator emulator, AffinityNode gateway, PolicyResult.Sent[] sent) throws Exception {
    ExecutorService senders = Executors.newFixedThreadPool(options.inFlight());
    Semaphore inFlight = new Semaphore(options.inFlight());
    Map<Integer, CompletableFuture<Void>> previousTurn = new HashMap<>();
    List<CompletableFuture<Void>> all = new ArrayList<>(schedule.size());
    try {
      long clock = 0;
      boolean failing = false;
      long failFrom = TimeUnit.MINUTES.toMillis(options.failAtMinute());
      for (int i = 0; i < schedule.size(); i++) {
        TrafficSchedule.Slot slot = schedule.get(i);
        inFlight.acquire();
        if (gateway != null && options.failAtMinute() >= 0) {
          // the failure schedule: d1 answers 529 for one minute of the schedule's time
          boolean inWindow = slot.atMillis() >= failFrom && slot.atMillis() < failFrom + 60_000;
          if (inWindow && !failing) {
            emulator.injectFault(Fault.status(529).forAccount(account(1)).times(Fault.UNTIL_CLEARED));
          } else if (!inWindow && failing) {
            emulator.clearFaults();
          }
          failing = inWindow;
        }
        if (options.inFlight() == 1) {
          emulator.advanceClock(Duration.ofMillis(slot.atMillis() - clock));
          clock = slot.atMillis();
        }
        int index = i;
        CompletableFuture<Void> request = previousTurn
            .getOrDefault(slot.session(), CompletableFuture.completedFuture(null))
            .thenRunAsync(() -> {
              try {
                sent[index] = send(sessions.get(slot.session()), slot.turn(), policy, emulator, gateway);
              } catch (Exception e) {
                throw new CompletionException(e);
              } finally {
                inFlight.release();
              }
            }, senders);
        previousTurn.put(slot.session(), request);
        all.add(request);
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
    } finally {
      senders.shutdownNow();
    }
  }

  private PolicyResult.Sent send(TenantWorkload.TenantSession tenantSession, int turn, Policy policy,
      UpstreamEmulator emulator, AffinityNode gateway) throws Exception {
    long clock = Duration.between(EPOCH, emulator.now()).toMillis();
    byte[] body = tenantSession.session().request(false);
    String base;
    String key;
    String deployment;
    if (gateway != null) {
      base = "http://127.0.0.1:" + gateway.port();
      key = MASTER_KEY;
      deployment = "-";
    } else {
      int chosen = policy.hashed()
          .map(through -> PrefixHashRouting.deployment(readTree(body), policy.deployments(), through))
          .orElse(0);
      base = emulator.baseUrl();
      key = apiKey(chosen + 1);
      deployment = account(chosen + 1);
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + AgentWorkload.REQUEST_PATH))
        .timeout(Duration.ofSeconds(60))
        .header("content-type", "application/json")
        .header("x-api-key", key)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    AgentWorkload.clientHeaders().forEach(request::header);
    HttpResponse<byte[]> response;
    try {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      return new PolicyResult.Sent(tenantSession.id(), tenantSession.tenant(), turn, clock, deployment, "-", 0, Usage.ZERO);
    }
    deployment = response.headers().firstValue("x-affinity-deployment").orElse(deployment);
    String route = response.headers().firstValue("x-affinity-route").orElse("-");
    int status = response.statusCode();
    if (status < 200 || status >= 300) {
      System.err.printf(Locale.ROOT, "%s %s turn %d: HTTP %d %s%n", policy.id(), tenantSession.id(), turn, status,
          MessageReply.errorType(response.body()));
      return new PolicyResult.Sent(tenantSession.id(), tenantSession.tenant(), turn, clock, deployment, route, status,
          Usage.ZERO);
    }
    MessageReply reply = MessageReply.fromMessage(response.body());
    // the next turn carries the answer, as an agent's would; the emulator answers the same prompt the same way
    tenantSession.session().nextTurn(reply.text());
    return new PolicyResult.Sent(tenantSession.id(), tenantSession.tenant(), turn, clock, deployment, route, status,
        reply.usage());
  }

  private static String gatewayConfig(Policy policy, UpstreamEmulator emulator, String extraRouterSettings) {
    StringBuilder yaml = new StringBuilder("model_list:\n");
    for (int d = 1; d <= policy.deployments(); d++) {
      yaml.append(String.format(Locale.ROOT, """
            - model_name: %s
              litellm_params: {model: anthropic/%s, api_key: %s, api_base: "%s"}
              model_info: {id: %s}
          """, MODEL, MODEL, apiKey(d), emulator.baseUrl(), account(d)));
    }
    yaml.append("router_settings: {").append(policy.routerSettings().orElseThrow())
        .append(extraRouterSettings.isBlank() ? "" : ", " + extraRouterSettings).append("}\n");
    yaml.append("general_settings: {master_key: ").append(MASTER_KEY).append("}\n");
    return yaml.toString();
  }

  static String account(int deployment) {
    return "d" + deployment;
  }

  private static String apiKey(int deployment) {
    return "sk-emulated-d" + deployment;
  }

  private static JsonNode readTree(byte[] body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new IllegalStateException("the workload wrote malformed JSON", e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }
}
