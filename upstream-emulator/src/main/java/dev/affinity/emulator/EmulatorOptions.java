package dev.affinity.emulator;

import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** Configuration of an {@link UpstreamEmulator}, fluent in the style of Vert.x options. */
public final class EmulatorOptions {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_OUTPUT_TOKENS = 24;
  public static final int DEFAULT_CAPTURED_REQUESTS = 50;
  public static final long DEFAULT_INPUT_TOKENS_PER_MINUTE = 2_000_000;
  public static final long DEFAULT_OUTPUT_TOKENS_PER_MINUTE = 400_000;

  private int port;
  private String host = DEFAULT_HOST;
  private final Map<String, AccountConfig> accounts = new LinkedHashMap<>();
  private LatencyModel latency = LatencyModel.ZERO;
  private int defaultOutputTokens = DEFAULT_OUTPUT_TOKENS;
  private final Map<String, Integer> minimumCacheableTokens = new LinkedHashMap<>();
  private int capturedRequestsPerAccount = DEFAULT_CAPTURED_REQUESTS;
  private long inputTokensPerMinute = DEFAULT_INPUT_TOKENS_PER_MINUTE;
  private long outputTokensPerMinute = DEFAULT_OUTPUT_TOKENS_PER_MINUTE;
  private int eventLoops = 1;
  private Clock clock = Clock.systemUTC();

  public int getPort() {
    return port;
  }

  /** 0 (the default) picks an ephemeral port; read it back with {@link UpstreamEmulator#port()}. */
  public EmulatorOptions setPort(int port) {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be between 0 and 65535");
    }
    this.port = port;
    return this;
  }

  public String getHost() {
    return host;
  }

  public EmulatorOptions setHost(String host) {
    this.host = Objects.requireNonNull(host, "host");
    return this;
  }

  public Map<String, AccountConfig> getAccounts() {
    return Collections.unmodifiableMap(accounts);
  }

  public EmulatorOptions addAccount(String name, String apiKey) {
    return addAccount(AccountConfig.of(name, apiKey));
  }

  public EmulatorOptions addAccount(AccountConfig account) {
    for (AccountConfig other : accounts.values()) {
      if (other.name().equals(account.name())) {
        continue;
      }
      if (account.apiKey() != null && account.apiKey().equals(other.apiKey())) {
        throw new IllegalArgumentException("two accounts cannot share an API key (account " + account.name() + ")");
      }
      if (account.aws() != null && other.aws() != null
          && account.aws().accessKeyId().equals(other.aws().accessKeyId())) {
        throw new IllegalArgumentException("two accounts cannot share an AWS access key id (account "
            + account.name() + ")");
      }
      if (account.vertex() != null && other.vertex() != null) {
        // A project has one prompt cache, and a service account one project here: either shared would blur caches.
        if (account.vertex().project().equals(other.vertex().project())) {
          throw new IllegalArgumentException("two accounts cannot share a Vertex AI project (account "
              + account.name() + ")");
        }
        if (account.vertex().clientEmail().equals(other.vertex().clientEmail())) {
          throw new IllegalArgumentException("two accounts cannot share a service account (account "
              + account.name() + ")");
        }
      }
    }
    accounts.put(account.name(), account);
    return this;
  }

  /**
   * Adds an account reachable on Bedrock only; to give an account with an API key AWS credentials too, add
   * {@code AccountConfig.of(name, apiKey).withAws(...)}.
   */
  public EmulatorOptions addAwsAccount(String name, String accessKeyId, String secretAccessKey) {
    return addAccount(AccountConfig.aws(name, AwsCredentials.of(accessKeyId, secretAccessKey)));
  }

  /**
   * Adds an account reachable on Vertex AI only: Google Cloud project {@code project}, called with the access tokens
   * that service account {@code clientEmail} obtains at {@code POST /token} with JWTs its private key signed
   * ({@code publicKey} verifies them). To give another account a project, add
   * {@code AccountConfig.of(name, apiKey).withVertex(...)}.
   */
  public EmulatorOptions addVertexAccount(String name, String project, String clientEmail, RSAPublicKey publicKey) {
    return addAccount(AccountConfig.vertex(name, new VertexCredentials(project, clientEmail, publicKey)));
  }

  /** As {@link #addVertexAccount(String, String, String, RSAPublicKey)}, the key in PEM ({@code BEGIN PUBLIC KEY}). */
  public EmulatorOptions addVertexAccount(String name, String project, String clientEmail, String publicKeyPem) {
    return addAccount(AccountConfig.vertex(name, VertexCredentials.of(project, clientEmail, publicKeyPem)));
  }

  public LatencyModel getLatency() {
    return latency;
  }

  /** {@link LatencyModel#ZERO} by default. */
  public EmulatorOptions setLatency(LatencyModel latency) {
    this.latency = Objects.requireNonNull(latency, "latency");
    return this;
  }

  public int getDefaultOutputTokens() {
    return defaultOutputTokens;
  }

  /** Output tokens of an answer when {@code max_tokens} does not cut it shorter. */
  public EmulatorOptions setDefaultOutputTokens(int defaultOutputTokens) {
    if (defaultOutputTokens < 1) {
      throw new IllegalArgumentException("defaultOutputTokens must be at least 1");
    }
    this.defaultOutputTokens = defaultOutputTokens;
    return this;
  }

  public Map<String, Integer> getMinimumCacheableTokens() {
    return Collections.unmodifiableMap(minimumCacheableTokens);
  }

  /** Overrides the minimum cacheable prefix for model ids starting with {@code modelPrefix}. */
  public EmulatorOptions setMinimumCacheableTokens(String modelPrefix, int tokens) {
    if (tokens < 0) {
      throw new IllegalArgumentException("minimum cacheable tokens must not be negative");
    }
    minimumCacheableTokens.put(Objects.requireNonNull(modelPrefix, "modelPrefix"), tokens);
    return this;
  }

  public int getCapturedRequestsPerAccount() {
    return capturedRequestsPerAccount;
  }

  public EmulatorOptions setCapturedRequestsPerAccount(int capturedRequestsPerAccount) {
    if (capturedRequestsPerAccount < 0) {
      throw new IllegalArgumentException("capturedRequestsPerAccount must not be negative");
    }
    this.capturedRequestsPerAccount = capturedRequestsPerAccount;
    return this;
  }

  public long getInputTokensPerMinute() {
    return inputTokensPerMinute;
  }

  /** Input-token limit reported in the rate-limit headers (not enforced). */
  public EmulatorOptions setInputTokensPerMinute(long inputTokensPerMinute) {
    this.inputTokensPerMinute = positive(inputTokensPerMinute, "inputTokensPerMinute");
    return this;
  }

  public long getOutputTokensPerMinute() {
    return outputTokensPerMinute;
  }

  /** Output-token limit reported in the rate-limit headers (not enforced). */
  public EmulatorOptions setOutputTokensPerMinute(long outputTokensPerMinute) {
    this.outputTokensPerMinute = positive(outputTokensPerMinute, "outputTokensPerMinute");
    return this;
  }

  public int getEventLoops() {
    return eventLoops;
  }

  /** How many event loops serve requests (one server verticle instance each); 1 by default. */
  public EmulatorOptions setEventLoops(int eventLoops) {
    this.eventLoops = (int) positive(eventLoops, "eventLoops");
    return this;
  }

  public Clock getClock() {
    return clock;
  }

  /** Base of the emulator clock (cache expiry, rate limits); {@link UpstreamEmulator#advanceClock} moves it on. */
  public EmulatorOptions setClock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  private static long positive(long value, String name) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be at least 1");
    }
    return value;
  }
}
