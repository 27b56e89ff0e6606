package dev.affinity.router.tenancy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Keys and teams as JSON, with LiteLLM's field names: the form they are stored in (database rows and the cluster's
 * maps) and answered with. Reading validates every field and names the bad one, so a value read back from a shared
 * map or a request is checked the same way.
 */
public final class TenantJson {

  private TenantJson() {
  }

  public static JsonObject key(VirtualKey key) {
    JsonObject json = new JsonObject()
        .put("token_id", key.id())
        .put("token", key.tokenHash())
        .put("key_name", key.keyName())
        .put("key_alias", key.keyAlias())
        .put("team_id", key.teamId())
        .put("models", new JsonArray(new ArrayList<>(key.models())))
        .put("expires", key.expiresAt() == null ? null : Instant.ofEpochMilli(key.expiresAt()).toString())
        .put("metadata", new JsonObject(key.metadata()))
        .put("permissions", new JsonObject(key.permissions()))
        .put("blocked", key.blocked())
        .put("created_at", Instant.ofEpochMilli(key.createdAt()).toString());
    allowance(json, key.allowance());
    return json;
  }

  public static VirtualKey readKey(JsonObject json) {
    return new VirtualKey(text(json, "token_id"), text(json, "token"), json.getString("key_name"),
        json.getString("key_alias"), json.getString("team_id"), strings(json, "models"), readAllowance(json),
        instant(json, "expires"), map(json, "metadata"), map(json, "permissions"),
        json.getBoolean("blocked", false), createdAt(json));
  }

  public static JsonObject team(Team team) {
    JsonObject json = new JsonObject()
        .put("team_id", team.teamId())
        .put("team_alias", team.teamAlias())
        .put("models", new JsonArray(new ArrayList<>(team.models())))
        .put("metadata", new JsonObject(team.metadata()))
        .put("blocked", team.blocked())
        .put("reserved_deployments", new JsonArray(new ArrayList<>(team.reservedDeployments())))
        .put("created_at", Instant.ofEpochMilli(team.createdAt()).toString());
    allowance(json, team.allowance());
    return json;
  }

  public static Team readTeam(JsonObject json) {
    return new Team(text(json, "team_id"), json.getString("team_alias"), strings(json, "models"),
        readAllowance(json), map(json, "metadata"), json.getBoolean("blocked", false),
        strings(json, "reserved_deployments"), createdAt(json));
  }

  private static void allowance(JsonObject json, Allowance allowance) {
    json.put("rpm_limit", allowance.rpmLimit())
        .put("tpm_limit", allowance.tpmLimit())
        .put("max_parallel_requests", allowance.maxParallelRequests())
        .put("max_budget", allowance.maxBudget())
        .put("budget_duration", allowance.budgetDuration());
  }

  /** The limits in {@code json}; fields it lacks are no limit. */
  public static Allowance readAllowance(JsonObject json) {
    return new Allowance(wholeNumber(json, "rpm_limit"), wholeNumber(json, "tpm_limit"),
        wholeNumber(json, "max_parallel_requests"), number(json, "max_budget"), optionalText(json, "budget_duration"));
  }

  static String text(JsonObject json, String field) {
    String value = optionalText(json, field);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(field + " is required");
    }
    return value;
  }

  static String optionalText(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (value != null && !(value instanceof String)) {
      throw new IllegalArgumentException(field + " must be a string");
    }
    return (String) value;
  }

  static Long wholeNumber(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Number number) || number.doubleValue() != Math.rint(number.doubleValue())) {
      throw new IllegalArgumentException(field + " must be a whole number");
    }
    return number.longValue();
  }

  static Double number(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Number number)) {
      throw new IllegalArgumentException(field + " must be a number");
    }
    return number.doubleValue();
  }

  static List<String> strings(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray array)) {
      throw new IllegalArgumentException(field + " must be a list of strings");
    }
    List<String> strings = new ArrayList<>();
    for (Object item : array) {
      if (!(item instanceof String text)) {
        throw new IllegalArgumentException(field + " must be a list of strings");
      }
      strings.add(text);
    }
    return strings;
  }

  static Map<String, Object> map(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof JsonObject object)) {
      throw new IllegalArgumentException(field + " must be an object");
    }
    return object.getMap();
  }

  private static long createdAt(JsonObject json) {
    Long createdAt = instant(json, "created_at");
    if (createdAt == null) {
      throw new IllegalArgumentException("created_at is required");
    }
    return createdAt;
  }

  /** An ISO-8601 instant, or null. */
  static Long instant(JsonObject json, String field) {
    String value = optionalText(json, field);
    if (value == null) {
      return null;
    }
    try {
      return Instant.parse(value).toEpochMilli();
    } catch (java.time.format.DateTimeParseException bad) {
      throw new IllegalArgumentException(field + " must be an ISO-8601 instant");
    }
  }
}
