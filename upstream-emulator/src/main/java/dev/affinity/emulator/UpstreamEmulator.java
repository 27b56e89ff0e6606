package dev.affinity.emulator;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP server that plays any number of Anthropic API accounts, prompt cache included, so that a gateway can be
 * tested and benchmarked without spending money. Each account also answers OpenAI's Chat Completions API, with
 * OpenAI's automatic prompt cache, on the same port; an account with {@link AwsCredentials} also plays an AWS account
 * on Bedrock Runtime ({@code POST /model/{modelId}/invoke[-with-response-stream]}, SigV4-authenticated), and one with
 * {@link VertexCredentials} a Google Cloud project on Vertex AI ({@code :rawPredict}, {@code :streamRawPredict}, with
 * OAuth access tokens from the emulator's {@code POST /token}).
 *
 * <pre>{@code
 * UpstreamEmulator emulator = UpstreamEmulator.start(vertx, new EmulatorOptions()
 *     .addAccount("acct-1", "sk-emu-1")
 *     .addAccount("acct-2", "sk-emu-2")).await();
 * // point the gateway at emulator.baseUrl(), then:
 * emulator.counters("acct-1").cacheReadInputTokens();
 * }</pre>
 *
 * <p>All methods are thread-safe.
 */
public final class UpstreamEmulator {

  /** Keys for sharing an ephemeral port between the servers of one emulator (see {@link #start}). */
  private static final AtomicInteger SHARED_EPHEMERAL_PORTS = new AtomicInteger();
  /** How often expired cache entries are dropped (lookups ignore them anyway). */
  private static final long PURGE_PERIOD_MILLIS = 60_000;

  private final Vertx vertx;
  private final EmulatorState state;
  private final String host;
  private volatile String deployment;
  private volatile int port;
  private volatile long purgeTimer = -1;

  private UpstreamEmulator(Vertx vertx, EmulatorState state, String host) {
    this.vertx = vertx;
    this.state = state;
    this.host = host;
  }

  /** Starts an emulator; the future completes once it accepts connections. */
  public static Future<UpstreamEmulator> start(Vertx vertx, EmulatorOptions options) {
    Objects.requireNonNull(vertx, "vertx");
    if (options.getAccounts().isEmpty()) {
      return Future.failedFuture(new IllegalArgumentException("at least one account is required"));
    }
    UpstreamEmulator emulator = new UpstreamEmulator(vertx, new EmulatorState(options), options.getHost());
    int instances = options.getEventLoops();
    // Vert.x shares a listening socket between servers bound to the same host and port. An ephemeral port is shared
    // through a negative port number: servers listening on the same negative value get one random port together.
    int port = options.getPort() == 0 && instances > 1
        ? -(1 + SHARED_EPHEMERAL_PORTS.getAndIncrement() % 65_535)
        : options.getPort();
    List<EmulatorVerticle> servers = new CopyOnWriteArrayList<>();
    return vertx.deployVerticle(() -> {
          EmulatorVerticle server = new EmulatorVerticle(emulator, emulator.state, options.getHost(), port);
          servers.add(server);
          return server;
        }, new DeploymentOptions().setInstances(instances))
        .map(deployment -> {
          emulator.deployment = deployment;
          emulator.port = servers.get(0).actualPort();
          emulator.purgeTimer = vertx.setPeriodic(PURGE_PERIOD_MILLIS, id -> emulator.purgeExpiredEntries());
          return emulator;
        });
  }

  public int port() {
    return port;
  }

  /** E.g. {@code http://127.0.0.1:41234}, without a trailing slash. */
  public String baseUrl() {
    return "http://" + host + ":" + port;
  }

  /** @throws IllegalArgumentException for an account the emulator does not play */
  public AccountCounters counters(String account) {
    return require(account).ledger().snapshot(account);
  }

  /** Counters of every account, in configuration order. */
  public Map<String, AccountCounters> counters() {
    Map<String, AccountCounters> all = new LinkedHashMap<>();
    for (AccountState account : state.accounts()) {
      all.put(account.name(), account.ledger().snapshot(account.name()));
    }
    return all;
  }

  /** The captured requests of an account, oldest first (bounded per account). */
  public List<CapturedRequest> capturedRequests(String account) {
    return capturedRequests(account, Integer.MAX_VALUE);
  }

  /** The last {@code limit} captured requests of an account, oldest first. */
  public List<CapturedRequest> capturedRequests(String account, int limit) {
    return require(account).requests().last(limit);
  }

  /**
   * Arms a fault for the next {@code POST /v1/messages}, {@code POST /v1/chat/completions} or Bedrock invoke
   * requests; faults play in injection order.
   */
  public void injectFault(Fault fault) {
    if (fault.account() != null) {
      require(fault.account());
    }
    state.faults().arm(fault);
  }

  /** Faults not yet played, with their remaining counts. */
  public List<Fault> pendingFaults() {
    return state.faults().pending();
  }

  public void clearFaults() {
    state.faults().clear();
  }

  /** Clears counters, caches, captured requests, faults and rate-limit usage. The clock keeps its time. */
  public void reset() {
    state.reset();
  }

  /** Now, on the emulator's clock. */
  public Instant now() {
    return state.clock().now();
  }

  /** Moves the emulator's clock forward: cache entries and rate limits see the time pass. */
  public void advanceClock(Duration by) {
    state.clock().advance(by);
  }

  public Future<Void> close() {
    vertx.cancelTimer(purgeTimer);
    return vertx.undeploy(deployment);
  }

  private void purgeExpiredEntries() {
    Instant now = state.clock().now();
    for (AccountState account : state.accounts()) {
      account.cache().purgeExpired(now);
      account.openAiCache().purgeExpired(now);
      account.bedrockCache().purgeExpired(now);
      account.vertexCache().purgeExpired(now);
      account.vertexTokens().purgeExpired(now);
    }
  }

  private AccountState require(String account) {
    AccountState found = state.account(account);
    if (found == null) {
      throw new IllegalArgumentException("no such account: " + account);
    }
    return found;
  }
}
