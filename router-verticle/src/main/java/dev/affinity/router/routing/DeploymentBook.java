package dev.affinity.router.routing;

import dev.affinity.model.GatewayError;
import dev.affinity.model.RouteKind;
import dev.affinity.model.TokenUsage;
import dev.affinity.model.UsageReport;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.GatewayConfig;
import dev.affinity.model.config.ModelInfo;
import dev.affinity.router.cache.CostModel;
import dev.affinity.router.cache.Price;
import dev.affinity.router.routing.strategy.InFlight;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * This node's book of every deployment: what is in flight, its load, its health, its rate-limit headroom, the cache
 * ledger and its prices. The one owner of that state, one per node and safe to use from any thread (each event loop's
 * router books and reads it): the router books each upstream call here from one place, when
 * its answer's head arrives ({@link #answered}) and when its outcome is known ({@link #finished}), and routing reads
 * it through {@link #eligibility()}, {@link #inFlight()} and {@link #load()}. Plain Java, clock-injected; cooldowns
 * it decides are returned for the caller to share with the cluster.
 */
public final class DeploymentBook {

  /** A retry-after longer than this cools a deployment for this long only; it is re-tried after that. */
  static final long MAX_RETRY_AFTER_SECONDS = 60;

  private final GatewayConfig config;
  private final InFlight inFlight = new InFlight();
  private final DeploymentLoad load;
  private final CacheLedger ledger = new CacheLedger();
  private final DeploymentHealth health;
  private final RateLimitHeadroom headroom;
  private final Eligibility eligibility;
  private final Map<String, Optional<Price>> prices = new ConcurrentHashMap<>();

  /**
   * @param members how many nodes share the configured rpm/tpm of each deployment
   * @param clock   epoch milliseconds
   */
  public DeploymentBook(GatewayConfig config, IntSupplier members, LongSupplier clock) {
    this.config = config;
    this.load = new DeploymentLoad(clock);
    this.health = new DeploymentHealth(config.router().allowedFails(), config.router().cooldownTime().toMillis(),
        clock);
    this.headroom = new RateLimitHeadroom(clock);
    this.eligibility = new Eligibility(health, headroom, members);
  }

  /** What the head of an answer said about its deployment. */
  public record Answered(long retryAfterMillis, OptionalLong cooledUntil) {
  }

  /** The outcome of a call, booked: what it cost, and the cooldown it started, if any. */
  public record Booked(CostModel.RequestCost cost, OptionalLong cooledUntil) {
  }

  /** A call to {@code deploymentId} is sent. */
  public void dispatched(String deploymentId) {
    inFlight.started(deploymentId);
    booked(deploymentId);
  }

  /**
   * A call to {@code deploymentId} is sent if fewer than {@code maxParallel} of this node's are in flight there
   * ({@code max_parallel_requests}; null for no limit); checked and counted in one step.
   *
   * @return false when the deployment is at its limit: nothing was booked and the call must not be sent
   */
  public boolean dispatched(String deploymentId, Integer maxParallel) {
    if (maxParallel == null) {
      dispatched(deploymentId);
      return true;
    }
    if (!inFlight.tryStart(deploymentId, maxParallel)) {
      return false;
    }
    booked(deploymentId);
    return true;
  }

  private void booked(String deploymentId) {
    load.started(deploymentId);
    headroom.dispatched(deploymentId);
  }

  /**
   * The head of an answer from {@code deploymentId} arrived: the limits it reported, and a {@code retry-after} with
   * an upstream fault, which cools the deployment that long (a 429 spends its quota instead: pins stay, traffic spills
   * elsewhere until the quota refills).
   */
  public Answered answered(String deploymentId, int status, Map<String, String> headers) {
    headroom.observe(deploymentId, headers);
    String retryAfter = headers.get("retry-after");
    if (!DeploymentHealth.upstreamFault(status) || retryAfter == null || retryAfter.isEmpty()
        || retryAfter.length() >= 10 || !retryAfter.chars().allMatch(Character::isDigit)) {
      return new Answered(0, OptionalLong.empty());
    }
    long askedMillis = Math.min(Long.parseLong(retryAfter), MAX_RETRY_AFTER_SECONDS) * 1000;
    if (status == 429) {
      headroom.exhaustedFor(deploymentId, askedMillis);
      return new Answered(askedMillis, OptionalLong.empty());
    }
    return new Answered(askedMillis, OptionalLong.of(health.coolFor(deploymentId, askedMillis)));
  }

  /** Books how a call ended: in flight, load, health (only what the upstream did), headroom, cost and ledger. */
  public Booked finished(UsageReport report) {
    TokenUsage usage = report.usage();
    OptionalLong cooled = ended(report, usage.promptTokens() + usage.outputTokens());
    return new Booked(accounted(report), cooled);
  }

  /**
   * Books the end of a call whose usage comes later (a background response's): in flight, load and health now, the
   * tokens and cost at {@link #settled}. Returns the cooldown it started, if any.
   */
  public OptionalLong ended(UsageReport report) {
    return ended(report, 0);
  }

  /** Books the usage of a call {@link #ended} earlier: load, headroom, cost and ledger. Returns what it cost. */
  public CostModel.RequestCost settled(UsageReport report) {
    TokenUsage usage = report.usage();
    load.used(report.deploymentId(), usage.promptTokens() + usage.outputTokens());
    return accounted(report);
  }

  private OptionalLong ended(UsageReport report, long tokens) {
    inFlight.finished(report.deploymentId());
    load.finished(report.deploymentId(), tokens);
    // a call that failed here says nothing about the deployment
    return GatewayError.LOCAL_FAILURE.equals(report.errorType()) ? OptionalLong.empty()
        : health.record(report.deploymentId(), report.status());
  }

  private CostModel.RequestCost accounted(UsageReport report) {
    String deploymentId = report.deploymentId();
    TokenUsage usage = report.usage();
    headroom.used(deploymentId, usage.inputTokens() + usage.cacheCreationInputTokens() + usage.outputTokens());
    CostModel.RequestCost cost = price(deploymentId, report.alias())
        .map(price -> CostModel.cost(price, new CostModel.Usage(usage.inputTokens(), usage.cacheCreation5mTokens(),
            usage.cacheCreation1hTokens(), usage.cacheReadInputTokens(), usage.outputTokens())))
        .orElse(new CostModel.RequestCost(0, 0, 0));
    // booked under the configured alias: the client's model string (any string under a wildcard) keys no map
    String alias = config.deployment(deploymentId).map(Deployment::alias).orElse("?");
    ledger.record(alias, deploymentId, report.status(), report.route() == RouteKind.PINNED, usage, cost.cost(),
        cost.costWithoutCache());
    return cost;
  }

  /** Another node cooled {@code deploymentId} until {@code untilMillis}. */
  public void cooledElsewhere(String deploymentId, long untilMillis) {
    health.coolUntil(deploymentId, untilMillis);
  }

  /**
   * The price of a call to {@code deploymentId} for the model the client asked for. Kept per deployment when its
   * model is fixed; under a wildcard the model comes from the client, and is resolved per call rather than kept in a
   * map a client could grow with made-up names.
   */
  public Optional<Price> price(String deploymentId, String requestedModel) {
    Optional<Deployment> deployment = config.deployment(deploymentId);
    if (deployment.isEmpty()) {
      return Optional.empty();
    }
    if (deployment.get().model().indexOf('*') >= 0) {
      return Price.resolve(deployment.get().upstreamModel(requestedModel), configuredPrices(deployment.get().info()));
    }
    return prices.computeIfAbsent(deploymentId, key -> Price.resolve(deployment.get().model(),
        configuredPrices(deployment.get().info())));
  }

  /**
   * The deployments of {@code config} whose calls would cost nothing: no price configured and none in the list (the
   * list knows Claude models). Their spend, budgets and savings count 0, which an operator must be told. A wildcard
   * deployment's model comes from the client, so it is not judged here.
   */
  public static List<Deployment> unpriced(GatewayConfig config) {
    return config.deployments().stream()
        .filter(deployment -> deployment.model().indexOf('*') < 0)
        .filter(deployment -> Price.resolve(deployment.model(), configuredPrices(deployment.info())).isEmpty())
        .toList();
  }

  /**
   * The price of a call to {@code deployment}: its {@code model_info} prices over the built-in list's; empty for a
   * wildcard deployment (the model comes from the client) or a model neither knows.
   */
  public static Optional<Price> listedPrice(Deployment deployment) {
    return deployment.model().indexOf('*') >= 0 ? Optional.empty()
        : Price.resolve(deployment.model(), configuredPrices(deployment.info()));
  }

  private static Map<String, Double> configuredPrices(ModelInfo info) {
    Map<String, Double> configured = new HashMap<>();
    if (info.inputCostPerToken() != null) {
      configured.put(Price.INPUT, info.inputCostPerToken());
    }
    if (info.outputCostPerToken() != null) {
      configured.put(Price.OUTPUT, info.outputCostPerToken());
    }
    if (info.cacheCreationInputTokenCost() != null) {
      configured.put(Price.CACHE_WRITE_5M, info.cacheCreationInputTokenCost());
    }
    if (info.cacheReadInputTokenCost() != null) {
      configured.put(Price.CACHE_READ, info.cacheReadInputTokenCost());
    }
    return configured;
  }

  /** Which deployments are healthy and have headroom, for the routing policy. */
  public Eligibility eligibility() {
    return eligibility;
  }

  /** Calls in flight per deployment on this node, for the unpinned strategies and {@code max_parallel_requests}. */
  public InFlight inFlight() {
    return inFlight;
  }

  /** This node's load per deployment, and the others' as last shared, for balance. */
  public DeploymentLoad load() {
    return load;
  }

  /** Until when {@code deploymentId} cools down, if it does. */
  public OptionalLong cooledUntil(String deploymentId) {
    return health.cooledUntil(deploymentId);
  }

  /** alias → deployment → what this node booked. */
  public Map<String, Map<String, CacheLedger.Line>> ledger() {
    return ledger.lines();
  }
}
