package dev.affinity.router.ingress;

import dev.affinity.router.node.LogLine;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Bedrock's control-plane answers about inference profiles, in Bedrock's shape: a page of ListInferenceProfiles
 * ({@code GET /inference-profiles?maxResults=&nextToken=&type=}) and one GetInferenceProfile. Claude Code in Bedrock
 * mode lists them at start to pick the ids it sends; served by the gateway, the list names what the gateway serves
 * ({@link CloudModelCatalog#profiles}), so the client picks those ids instead of guessing. Every profile is
 * {@code SYSTEM_DEFINED}: there are no application profiles to list.
 */
final class InferenceProfiles {

  static final int MAX_RESULTS = 1000;
  private static final Pattern NOT_IN_A_NAME = Pattern.compile("[^0-9a-zA-Z]+");

  private InferenceProfiles() {
  }

  /**
   * One page of {@code profiles} (each id with the alias it names, in the list's order): at most
   * {@code maxResults} (1 to 1000; 1000 when absent) from {@code nextToken}, and the token of the next page when more
   * follow.
   *
   * @throws IllegalArgumentException with the message Bedrock's ValidationException would carry, for a
   *                                  {@code maxResults} out of range, a token this gateway did not give or a
   *                                  {@code type} Bedrock does not have
   */
  static JsonObject page(Map<String, String> profiles, String maxResults, String nextToken, String type) {
    if (type != null && !type.equals("SYSTEM_DEFINED") && !type.equals("APPLICATION")) {
      throw new IllegalArgumentException("1 validation error detected: Value '" + LogLine.clip(type, 100)
          + "' at 'typeEquals' failed to satisfy constraint: Member must satisfy enum value set: [SYSTEM_DEFINED, "
          + "APPLICATION]");
    }
    int size = MAX_RESULTS;
    if (maxResults != null) {
      size = integer(maxResults);
      if (size < 1 || size > MAX_RESULTS) {
        throw new IllegalArgumentException("1 validation error detected: Value at 'maxResults' failed to satisfy "
            + "constraint: Member must have value between 1 and " + MAX_RESULTS);
      }
    }
    List<String> listed = "APPLICATION".equals(type) ? List.of() : List.copyOf(profiles.keySet());
    int start = 0;
    if (nextToken != null) {
      start = integer(nextToken);
      if (start < 1 || start > listed.size()) {
        throw new IllegalArgumentException("Invalid nextToken: it was not given by a previous page of this list");
      }
    }
    int end = Math.min(listed.size(), start + size);
    JsonArray summaries = new JsonArray();
    listed.subList(start, end).forEach(id -> summaries.add(summary(id, profiles.get(id))));
    JsonObject page = new JsonObject().put("inferenceProfileSummaries", summaries);
    if (end < listed.size()) {
      page.put("nextToken", String.valueOf(end));
    }
    return page;
  }

  /**
   * A profile as GetInferenceProfile and the list describe it: the Claude model it serves as its one model, and
   * the alias it names in its description.
   */
  static JsonObject summary(String id, String alias) {
    String name = NOT_IN_A_NAME.matcher(CloudModelCatalog.anthropicName(id)).replaceAll("-");
    name = name.substring(0, Math.min(64, name.length())).replaceAll("^-+|-+$", "");
    return new JsonObject()
        .put("inferenceProfileId", id)
        .put("inferenceProfileName", name)
        .put("inferenceProfileArn", "arn:aws:bedrock:::inference-profile/" + id)
        .put("description", "Claude, served by this gateway's model " + alias)
        .put("models", new JsonArray().add(new JsonObject().put("modelArn", "arn:aws:bedrock:::foundation-model/"
            + CloudModelCatalog.foundationModel(id))))
        .put("status", "ACTIVE")
        .put("type", "SYSTEM_DEFINED");
  }

  private static int integer(String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException notANumber) {
      return -1;
    }
  }
}
