package dev.affinity.emulator;

import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A snapshot of what one account served since start or the last reset.
 *
 * <p>{@code requests} and {@code errors} cover both APIs; the token counters named after Anthropic's usage fields
 * ({@code inputTokens}...) and {@code models} cover the Messages API; the {@code openAi*} counters cover the OpenAI
 * routes ({@code /v1/chat/completions}, and {@code /v1/models} asked by an OpenAI client).
 *
 * @param requests authenticated requests received on any {@code /v1} endpoint, OpenAI routes included
 * @param errors of those, the ones answered with an error status or cut by an injected fault
 * @param models the Messages API token counters broken down by the model requested
 * @param openAiRequests authenticated requests on the OpenAI routes (also counted in {@code requests})
 * @param openAiErrors of those, the ones answered with an error or cut by a fault (also counted in {@code errors})
 * @param openAiPromptTokens {@code prompt_tokens} of Chat Completions answers that began, cached ones included
 * @param openAiCachedTokens of those, {@code prompt_tokens_details.cached_tokens}
 * @param openAiCompletionTokens {@code completion_tokens} of finished answers
 */
public record AccountCounters(String account, long requests, long errors, long inputTokens,
    long cacheCreationInputTokens, long cacheReadInputTokens, long outputTokens, Map<String, ModelCounters> models,
    long openAiRequests, long openAiErrors, long openAiPromptTokens, long openAiCachedTokens,
    long openAiCompletionTokens) {

  public AccountCounters {
    models = Collections.unmodifiableMap(new TreeMap<>(models));
  }

  JsonObject toJson() {
    JsonObject byModel = new JsonObject();
    models.forEach((model, counters) -> byModel.put(model, counters.toJson()));
    return new JsonObject()
        .put("requests", requests)
        .put("errors", errors)
        .put("input_tokens", inputTokens)
        .put("cache_creation_input_tokens", cacheCreationInputTokens)
        .put("cache_read_input_tokens", cacheReadInputTokens)
        .put("output_tokens", outputTokens)
        .put("models", byModel)
        .put("openai_requests", openAiRequests)
        .put("openai_errors", openAiErrors)
        .put("openai_prompt_tokens", openAiPromptTokens)
        .put("openai_cached_tokens", openAiCachedTokens)
        .put("openai_completion_tokens", openAiCompletionTokens);
  }
}
