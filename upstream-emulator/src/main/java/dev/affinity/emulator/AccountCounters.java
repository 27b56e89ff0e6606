package dev.affinity.emulator;

import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A snapshot of what one account served since start or the last reset.
 *
 * @param requests authenticated requests received on any {@code /v1} endpoint
 * @param errors of those, the ones answered with an error status or cut by an injected fault
 * @param models the token counters broken down by the model requested
 */
public record AccountCounters(String account, long requests, long errors, long inputTokens,
    long cacheCreationInputTokens, long cacheReadInputTokens, long outputTokens, Map<String, ModelCounters> models) {

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
        .put("models", byModel);
  }
}
