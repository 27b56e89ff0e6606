package dev.affinity.emulator;

import java.time.Instant;

/**
 * Everything the emulator keeps for one account. The OpenAI and Bedrock caches and rate limits are separate from the
 * Anthropic ones: one account plays an organisation on each provider.
 */
record AccountState(AccountConfig config, PromptCache cache, UsageLedger ledger, RequestLog requests,
    RateLimits rateLimits, OpenAiPromptCache openAiCache, OpenAiRateLimits openAiRateLimits,
    PromptCache bedrockCache, RateLimits bedrockRateLimits) {

  static AccountState create(AccountConfig config, EmulatorOptions options, Instant now) {
    return new AccountState(config, new PromptCache(), new UsageLedger(),
        new RequestLog(options.getCapturedRequestsPerAccount()),
        new RateLimits(config.rpm(), options.getInputTokensPerMinute(), options.getOutputTokensPerMinute(), now),
        new OpenAiPromptCache(),
        new OpenAiRateLimits(config.rpm(), options.getInputTokensPerMinute() + options.getOutputTokensPerMinute(),
            now),
        new PromptCache(),
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
    openAiCache.clear();
    openAiRateLimits.reset(now);
    bedrockCache.clear();
    bedrockRateLimits.reset(now);
  }
}
