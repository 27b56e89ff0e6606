package dev.affinity.emulator;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** State shared by every server verticle instance of one emulator: accounts, faults, clock and settings. */
final class EmulatorState {

  private final Map<String, AccountState> byName = new LinkedHashMap<>();
  private final Map<String, AccountState> byKey = new LinkedHashMap<>();
  private final Map<String, AccountState> byAccessKeyId = new LinkedHashMap<>();
  private final FaultSchedule faults = new FaultSchedule();
  private final EmulatorClock clock;
  private final Clock signingClock;
  private final CacheMinimums minimums;
  private final LatencyModel latency;
  private final int defaultOutputTokens;

  EmulatorState(EmulatorOptions options) {
    this.clock = new EmulatorClock(options.getClock());
    this.signingClock = options.getClock();
    this.minimums = new CacheMinimums(options.getMinimumCacheableTokens());
    this.latency = options.getLatency();
    this.defaultOutputTokens = options.getDefaultOutputTokens();
    Instant now = clock.now();
    for (AccountConfig config : options.getAccounts().values()) {
      AccountState account = AccountState.create(config, options, now);
      byName.put(config.name(), account);
      if (config.apiKey() != null) {
        byKey.put(config.apiKey(), account);
      }
      if (config.aws() != null) {
        byAccessKeyId.put(config.aws().accessKeyId(), account);
      }
    }
  }

  /** The account an API key selects, or null. */
  AccountState accountForKey(String apiKey) {
    return apiKey == null ? null : byKey.get(apiKey);
  }

  /** The account whose AWS credentials have that access key id, or null. */
  AccountState accountForAccessKeyId(String accessKeyId) {
    return accessKeyId == null ? null : byAccessKeyId.get(accessKeyId);
  }

  /** The account of that name, or null. */
  AccountState account(String name) {
    return byName.get(name);
  }

  Iterable<AccountState> accounts() {
    return byName.values();
  }

  FaultSchedule faults() {
    return faults;
  }

  EmulatorClock clock() {
    return clock;
  }

  /**
   * The time SigV4 request dates are checked against: the base clock, which {@linkplain EmulatorClock#advance moving
   * the emulator clock} does not change, because clients sign with the real time.
   */
  Clock signingClock() {
    return signingClock;
  }

  CacheMinimums minimums() {
    return minimums;
  }

  LatencyModel latency() {
    return latency;
  }

  int defaultOutputTokens() {
    return defaultOutputTokens;
  }

  void reset() {
    faults.clear();
    Instant now = clock.now();
    for (AccountState account : byName.values()) {
      account.reset(now);
    }
  }
}
