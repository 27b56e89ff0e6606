package dev.affinity.router.ingress;

import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.ModelInfo;
import dev.affinity.router.cache.Price;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * LiteLLM's {@code GET /model/info}: per deployment, its {@code model_name}, the {@code litellm_params} that say
 * which model it calls, and its {@code model_info} with the prices the gateway books by. Nothing that reaches an
 * account: no key, no credentials, and no {@code api_base} either (a URL may carry a secret in its user part or its
 * query).
 */
final class ModelInfoPage {

  private ModelInfoPage() {
  }

  /**
   * @param deployments the deployments the caller may call, in file order
   * @param price       the price a deployment's calls are booked at, if known
   */
  static JsonObject of(List<Deployment> deployments, Function<Deployment, Optional<Price>> price) {
    JsonArray data = new JsonArray();
    for (Deployment deployment : deployments) {
      ModelInfo info = deployment.info();
      String provider = deployment.settings().providerName();
      JsonObject modelInfo = new JsonObject().put("id", deployment.id()).put("db_model", false)
          .put("litellm_provider", deployment.litellmProvider())
          .put("mode", "chat").put("access_groups", new JsonArray(info.accessGroups()));
      price.apply(deployment).ifPresent(known -> modelInfo
          .put(Price.INPUT, known.inputPerToken()).put(Price.OUTPUT, known.outputPerToken())
          .put(Price.CACHE_WRITE_5M, known.cacheWrite5mPerToken())
          .put(Price.CACHE_WRITE_1H, known.cacheWrite1hPerToken()).put(Price.CACHE_READ, known.cacheReadPerToken()));
      data.add(new JsonObject().put("model_name", deployment.alias())
          .put("litellm_params", new JsonObject().put("model", provider + "/" + deployment.model()))
          .put("model_info", modelInfo));
    }
    return new JsonObject().put("data", data);
  }
}
