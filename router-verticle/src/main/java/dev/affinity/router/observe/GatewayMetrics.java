package dev.affinity.router.observe;

import dev.affinity.model.Caller;
import dev.affinity.model.RouteKind;
import dev.affinity.model.TokenUsage;
import dev.affinity.model.UsageReport;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.GatewayConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * The node's Prometheus metrics (docs/metrics.md), tied to routing decisions: every finished upstream call is booked
 * with its alias, deployment and route, its tokens by kind, its cost and its saving against no cache.
 *
 * <p>Label values come only from the configuration (aliases as configured, deployment ids) and from the gateway's own
 * words (route kinds, error types, HTTP statuses): never from a string a client chose, never from a key. A value that
 * is not one of those becomes {@code other}, so the number of series stays bounded whatever clients send.
 * Thread-safe: every event loop's router and HTTP verticle, and the scrape, touch it concurrently.
 */
public final class GatewayMetrics {

  /** Routes that put a session's prefix where it was not cached: their cache writes are paid a second time. */
  static final Set<RouteKind> MOVING_ROUTES = EnumSet.of(RouteKind.REPINNED, RouteKind.RETRIED, RouteKind.SPILLED);
  static final String OTHER = "other";
  static final String NONE = "none";
  /** Distinct teams and key aliases that get a label value of their own on this node; the rest are {@code other}. */
  static final int MAX_TEAMS = 50;
  static final int MAX_KEY_ALIASES = 100;
  private static final int MAX_LABEL = 64;
  /** Error types are the gateway's own words (route kinds are an enum); anything else is not a label. */
  private static final Set<String> ERROR_TYPES = Set.of("invalid_request_error", "authentication_error",
      "permission_error", "not_found_error", "request_too_large", "rate_limit_error", "overloaded_error", "api_error",
      "timeout_error", "client_disconnected", "stream_interrupted");

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, Deployment> deployments;
  private final Timer routingDecision;
  private final Timer overhead;
  private final Set<String> teams = ConcurrentHashMap.newKeySet();
  private final Set<String> keyAliases = ConcurrentHashMap.newKeySet();
  private final List<ToDoubleFunction<String>> inFlightSources = new CopyOnWriteArrayList<>();
  private final List<Predicate<String>> coolingSources = new CopyOnWriteArrayList<>();
  private volatile IntSupplier pinsHeld = () -> 0;
  private volatile IntSupplier clusterMembers = () -> 0;
  private volatile LongSupplier pinKeysWritten = () -> 0;
  private volatile LongSupplier pinEventsHeard = () -> 0;
  private final RequestJournal journal = new RequestJournal(200, 10_000, 180, System::currentTimeMillis);

  public GatewayMetrics(GatewayConfig config) {
    this.deployments = config.deployments().stream()
        .collect(Collectors.toUnmodifiableMap(Deployment::id, deployment -> deployment, (first, second) -> first));
    this.routingDecision = Timer.builder("affinity.routing.decision")
        .description("Time from the router taking a request to its deployment being chosen (pin lookup and claim)")
        .serviceLevelObjectives(millis(0.05), millis(0.1), millis(0.25), millis(0.5), millis(1), millis(2.5),
            millis(5), millis(10), millis(25), millis(100), millis(500))
        .register(registry);
    this.overhead = Timer.builder("affinity.gateway.overhead")
        .description("Time from the router taking a request to the upstream request being sent")
        .serviceLevelObjectives(millis(0.1), millis(0.25), millis(0.5), millis(1), millis(2.5), millis(5),
            millis(10), millis(25), millis(100), millis(500))
        .register(registry);
    registerGauges();
  }

  private static Duration millis(double millis) {
    return Duration.ofNanos((long) (millis * 1_000_000));
  }

  /**
   * Adds a router's view to the gauges read when scraped: requests in flight and cooldown per configured deployment,
   * pins this member holds, cluster members. Every router instance of the node may call it: in-flight counts are
   * summed over them, a deployment is cooling when any says so, pins and members are asked of the latest. The
   * functions are called from the scraping thread and must be safe there.
   */
  public void watch(ToDoubleFunction<String> inFlight, Predicate<String> coolingDown, IntSupplier pinsHeld,
                    IntSupplier clusterMembers) {
    inFlightSources.add(inFlight);
    coolingSources.add(coolingDown);
    this.pinsHeld = pinsHeld;
    this.clusterMembers = clusterMembers;
  }

  /**
   * Adds the pin store's counts of the cluster work it did: keys written, map events its view took in. Pinned
   * traffic should move neither (a hit writes nothing until its pin's refresh is due).
   */
  public void watchPinTraffic(LongSupplier keysWritten, LongSupplier eventsHeard) {
    this.pinKeysWritten = keysWritten;
    this.pinEventsHeard = eventsHeard;
  }

  private void registerGauges() {
    for (Deployment deployment : deployments.values()) {
      Tags tags = Tags.of("alias", deployment.alias(), "deployment", deployment.id());
      Gauge.builder("affinity.in.flight", this,
              metrics -> metrics.inFlightSources.stream().mapToDouble(source -> source.applyAsDouble(deployment.id()))
                  .sum())
          .description("Upstream calls this node has sent to the deployment and not finished").tags(tags)
          .register(registry);
      Gauge.builder("affinity.cooldown", this,
              metrics -> metrics.coolingSources.stream().anyMatch(source -> source.test(deployment.id())) ? 1 : 0)
          .description("1 while the deployment is cooling down after failures, else 0").tags(tags)
          .register(registry);
    }
    Gauge.builder("affinity.pins.held", this, metrics -> metrics.pinsHeld.getAsInt())
        .description("Pins whose primary copy this cluster member holds (sum over members: the whole pin map)")
        .register(registry);
    Gauge.builder("affinity.cluster.members", this, metrics -> metrics.clusterMembers.getAsInt())
        .description("Members of the cluster this node sees, itself included").register(registry);
    FunctionCounter.builder("affinity.pin.writes", this, metrics -> metrics.pinKeysWritten.getAsLong())
        .description("Pin keys this node sent to their owners in writes: claims, moves, refreshes, ends of warm-up")
        .register(registry);
    FunctionCounter.builder("affinity.pin.events", this, metrics -> metrics.pinEventsHeard.getAsLong())
        .description("Pin map events this node's view took in: every member's writes, expiries and evictions")
        .register(registry);
  }

  /** How long routing took to choose a deployment for one request. */
  public void routingDecision(long nanos) {
    routingDecision.record(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * One finished upstream call, with what it cost and what the same tokens would have cost without a cache.
   * {@code alias} is the deployment's configured {@code model_name} (a wildcard stays a wildcard), not the model the
   * client asked for.
   */
  public void booked(UsageReport report, double costUsd, double costWithoutCacheUsd) {
    Deployment deployment = deployments.get(report.deploymentId());
    String alias = deployment == null ? OTHER : deployment.alias();
    String deploymentId = deployment == null ? OTHER : deployment.id();
    String route = report.route() == null ? OTHER : report.route().label();
    // whose call: the virtual key's team and key_alias, names an administrator gave, never the key or its hash
    Caller caller = report.caller();
    // (on what is counted and paid; routing quality and latencies are the deployment's, without them)
    Tags where = Tags.of("alias", alias, "deployment", deploymentId);
    Tags call = where.and("team", bounded(teams, MAX_TEAMS, caller.teamId()), "key_alias",
        bounded(keyAliases, MAX_KEY_ALIASES, caller.virtualKey() ? caller.keyAlias() : null));
    Counter.builder("affinity.requests").description("Finished upstream calls by route and status")
        .tags(call).tag("route", route).tag("status", Integer.toString(report.status()))
        .register(registry).increment();
    TokenUsage usage = report.usage();
    tokens(call, "input", usage.inputTokens());
    tokens(call, "cache_read", usage.cacheReadInputTokens());
    long writes1h = Math.max(0, usage.cacheCreation1hTokens());
    long writes5m = Math.max(0, usage.cacheCreation5mTokens());
    if (writes5m + writes1h == 0) {
      // a provider that does not split writes by TTL wrote them with the default one, 5 minutes
      writes5m = Math.max(0, usage.cacheCreationInputTokens());
    }
    tokens(call, "cache_write_5m", writes5m);
    tokens(call, "cache_write_1h", writes1h);
    tokens(call, "output", usage.outputTokens());
    Counter.builder("affinity.cost.usd").description("What the upstream calls cost, at list prices")
        .tags(call).register(registry).increment(Math.max(0, costUsd));
    Counter.builder("affinity.cost.without.cache.usd")
        .description("What the same tokens would have cost with no cache (all prompt tokens at the input price)")
        .tags(call).register(registry).increment(Math.max(0, costWithoutCacheUsd));
    // a counter only grows: a call whose writes cost more than they saved adds nothing here (the difference of the
    // two cost counters is the net saving)
    Counter.builder("affinity.saved.usd").description("What the cache saved on calls where it saved anything")
        .tags(call).register(registry).increment(Math.max(0, costWithoutCacheUsd - costUsd));
    boolean succeeded = report.status() >= 200 && report.status() < 300;
    if (succeeded && report.route() == RouteKind.PINNED && usage.cacheReadInputTokens() <= 0) {
      Counter.builder("affinity.pinned.miss")
          .description("Calls routed by a pin on which the provider read nothing from its cache")
          .tags(where).register(registry).increment();
    }
    if (MOVING_ROUTES.contains(report.route()) && usage.cacheCreationInputTokens() > 0) {
      Counter.builder("affinity.rewritten.tokens")
          .description("Cache writes paid again because a session moved to another deployment")
          .tags(where).tag("route", route).register(registry).increment(usage.cacheCreationInputTokens());
    }
    journal.add(new RequestJournal.Call(System.currentTimeMillis(), report.requestId(), alias, deploymentId, route,
        report.status(), Math.max(0, usage.inputTokens()), Math.max(0, usage.cacheReadInputTokens()),
        Math.max(0, usage.cacheCreationInputTokens()), Math.max(0, usage.outputTokens()), Math.max(0, costUsd),
        costWithoutCacheUsd - costUsd, report.latencyMillis()));
    if (report.timing() != null) {
      UsageReport.Timing timing = report.timing();
      if (timing.sentAfterNanos() >= 0) {
        overhead.record(timing.sentAfterNanos(), TimeUnit.NANOSECONDS);
        if (timing.endedAfterNanos() >= timing.sentAfterNanos()) {
          latency("affinity.upstream.latency", "Time from the upstream request being sent to its answer's end",
              where, timing.endedAfterNanos() - timing.sentAfterNanos());
        }
      }
      if (timing.firstByteAfterNanos() >= 0) {
        latency("affinity.time.to.first.token",
            "Time from the router taking a request to the first bytes of the upstream's answer",
            where, timing.firstByteAfterNanos());
      }
    }
  }

  /** A request the gateway answered itself, without an upstream call: refused, malformed, unknown model... */
  public void refused(int status, String errorType) {
    Counter.builder("affinity.refused").description("Requests the gateway answered itself with an error")
        .tag("status", Integer.toString(status))
        .tag("type", errorType != null && ERROR_TYPES.contains(errorType) ? errorType : OTHER)
        .register(registry).increment();
  }

  /** The recent calls and per-interval totals the web console draws. */
  public RequestJournal journal() {
    return journal;
  }

  /** Everything in the Prometheus text format (version 0.0.4). */
  public String scrape() {
    return registry.scrape();
  }

  private void tokens(Tags call, String type, long count) {
    Counter counter = Counter.builder("affinity.tokens").description("Tokens of finished upstream calls by type")
        .tags(call).tag("type", type).register(registry);
    if (count > 0) {
      counter.increment(count);
    }
  }

  private void latency(String name, String description, Tags call, long nanos) {
    Timer.builder(name).description(description).tags(call)
        .serviceLevelObjectives(millis(50), millis(100), millis(250), millis(500), millis(1000), millis(2500),
            millis(5000), millis(10_000), millis(30_000), millis(60_000), millis(120_000), millis(300_000))
        .register(registry).record(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * {@code value} while it is one of the first {@code max} distinct values seen, {@code other} after, {@code none}
   * when there is none: a node with thousands of keys keeps a bounded number of series.
   */
  private static String bounded(Set<String> seen, int max, String value) {
    if (value == null || value.isEmpty()) {
      return NONE;
    }
    String label = value.length() > MAX_LABEL ? value.substring(0, MAX_LABEL) : value;
    if (seen.contains(label)) {
      return label;
    }
    synchronized (seen) {
      if (seen.size() < max) {
        seen.add(label);
        return label;
      }
    }
    return OTHER;
  }

}
