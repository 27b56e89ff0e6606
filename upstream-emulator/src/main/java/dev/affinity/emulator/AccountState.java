package dev.affinity.emulator;

import java.time.Instant;

/** Everything the emulator keeps for one account. */
record AccountState(AccountConfig config, PromptCache cache, UsageLedger ledger, RequestLog requests,
    RateLimits rateLimits) {

  static AccountState create(AccountConfig config, EmulatorOptions options, Instant now) {
    return new AccountState(config, new PromptCache(), new UsageLedger(),
        new RequestLog(options.getCapturedRequestsPerAccount()),
        new RateLimits(config.rpm(), options.getInputTokensPerMinute(), options.getOutputTokensPerMinute(), now));
  }

  String name() {
    return config.name();
  }

  void reset(Instant now) {
    cache.clear();
    ledger.clear();
    requests.clear();
    rateLimits.reset(now);
  }
}
