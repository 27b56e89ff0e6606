package dev.affinity.emulator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** The models {@code GET /v1/models} lists to OpenAI clients. Chat Completions accept any model id. */
final class OpenAiModelCatalog {

  private record Model(String id, long created, String ownedBy) {
    JsonObject toJson() {
      return new JsonObject().put("id", id).put("object", "model").put("created", created).put("owned_by", ownedBy);
    }
  }

  private static final List<Model> MODELS = List.of(
      new Model("gpt-5", 1754425777L, "system"),
      new Model("gpt-5-mini", 1754425928L, "system"),
      new Model("gpt-5-nano", 1754426384L, "system"),
      new Model("gpt-4.1", 1744316542L, "system"),
      new Model("gpt-4.1-mini", 1744318173L, "system"),
      new Model("gpt-4o", 1715367049L, "system"),
      new Model("gpt-4o-mini", 1721172741L, "system"),
      new Model("o3", 1744225308L, "system"),
      new Model("o4-mini", 1744225351L, "system"));

  private OpenAiModelCatalog() {
  }

  /** OpenAI's list shape: {@code {"object":"list","data":[...]}}. */
  static JsonObject list() {
    JsonArray data = new JsonArray();
    MODELS.forEach(model -> data.add(model.toJson()));
    return new JsonObject().put("object", "list").put("data", data);
  }

  /** One model by id, or null. */
  static JsonObject find(String id) {
    return MODELS.stream().filter(model -> model.id().equals(id)).findFirst().map(Model::toJson).orElse(null);
  }
}
