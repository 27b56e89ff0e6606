package dev.affinity.emulator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** The models {@code GET /v1/models} lists. Messages accept any model id; this list is informational. */
final class ModelCatalog {

  private record Model(String id, String displayName, String createdAt) {
    JsonObject toJson() {
      return new JsonObject().put("type", "model").put("id", id).put("display_name", displayName)
          .put("created_at", createdAt);
    }
  }

  private static final List<Model> MODELS = List.of(
      new Model("claude-opus-4-6", "Claude Opus 4.6", "2026-02-05T00:00:00Z"),
      new Model("claude-opus-4-5-20251101", "Claude Opus 4.5", "2025-11-24T00:00:00Z"),
      new Model("claude-haiku-4-5-20251001", "Claude Haiku 4.5", "2025-10-15T00:00:00Z"),
      new Model("claude-sonnet-4-5-20250929", "Claude Sonnet 4.5", "2025-09-29T00:00:00Z"),
      new Model("claude-opus-4-1-20250805", "Claude Opus 4.1", "2025-08-05T00:00:00Z"),
      new Model("claude-sonnet-4-20250514", "Claude Sonnet 4", "2025-05-22T00:00:00Z"),
      new Model("claude-3-5-haiku-20241022", "Claude Haiku 3.5", "2024-10-22T00:00:00Z"),
      new Model("claude-3-haiku-20240307", "Claude Haiku 3", "2024-03-07T00:00:00Z"));

  private ModelCatalog() {
  }

  /** Anthropic's list shape: {@code data}, {@code has_more}, {@code first_id}, {@code last_id}. */
  static JsonObject list() {
    JsonArray data = new JsonArray();
    MODELS.forEach(model -> data.add(model.toJson()));
    return new JsonObject()
        .put("data", data)
        .put("has_more", false)
        .put("first_id", MODELS.get(0).id())
        .put("last_id", MODELS.get(MODELS.size() - 1).id());
  }

  /** One model by id, or null. */
  static JsonObject find(String id) {
    return MODELS.stream().filter(model -> model.id().equals(id)).findFirst().map(Model::toJson).orElse(null);
  }
}
