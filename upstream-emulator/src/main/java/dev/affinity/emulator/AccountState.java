package dev.affinity.emulator;

import java.time.Instant;

/**
 * Everything the emulator keeps for one account. The OpenAI, Bedrock and Vertex AI caches and rate limits are separate
 * from the Anthropic ones: one account plays an organisation on each provider.
 *
 * @param vertexTokens the access tokens issued to the account's Vertex AI service account
 * @param responses    the Responses API answers it stored, for {@code previous_response_id}
 */
record AccountState(AccountConfig config, PromptCache cache, UsageLedger ledger, RequestLog requests,
    RateLimits rateLimits, OpenAiPromptCache openAiCache, OpenAiRateLimits openAiRateLimits,
    PromptCache bedrockCache, RateLimits bedrockRateLimits, PromptCache vertexCache, RateLimits vertexRateLimits,
    VertexTokens vertexTokens, StoredResponses responses) {

  static AccountState create(AccountConfig config, EmulatorOptions options, Instant now) {
    return new AccountState(config, new PromptCache(), new UsageLedger(),
        new RequestLog(options.getCapturedRequestsPerAccount()),
        new RateLimits(config.rpm(), options.getInputTokensPerMinute(), options.getOutputTokensPerMinute(), now),
        new OpenAiPromptCache(),
        new OpenAiRateLimits(config.rpm(), options.getInputTokensPerMinute() + options.getOutputTokensPerMinute(),
            now),
        new PromptCache(),
        new RateLimits(config.rpm(), options.getInputTokensPerMinute(), options.getOutputTokensPerMinute(), now),
        new PromptCache(),
        new RateLimits(config.rpm(), options.getInputTokensPerMinute(), options.getOutputTokensPerMinute(), now),
        new VertexTokens(), new StoredResponses());
  }

  /**
   * The account as the Messages API machinery ({@link MessagesEndpoint}) sees it on the Vertex AI routes: the
   * Vertex cache and limits in place of the Anthropic ones; counters, captured requests and faults are the account's.
   */
  AccountState onVertex() {
    return new AccountState(config, vertexCache, ledger, requests, vertexRateLimits, openAiCache, openAiRateLimits,
        bedrockCache, bedrockRateLimits, vertexCache, vertexRateLimits, vertexTokens, responses);
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
    vertexCache.clear();
    vertexRateLimits.reset(now);
    responses.clear();
  }
}
