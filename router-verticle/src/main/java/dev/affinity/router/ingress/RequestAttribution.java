package dev.affinity.router.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import dev.affinity.model.Attribution;
import dev.affinity.model.GatewayError;
import dev.affinity.router.routing.TagFields;
import dev.affinity.router.tenancy.Identity;
import io.vertx.core.MultiMap;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a virtual key's request says it was made for ({@link Attribution}), read as LiteLLM reads it. The end user is
 * the body's {@code user} (OpenAI's APIs), else its {@code metadata.user_id} (Anthropic's). The tags are, each once
 * and in this order, those of the {@code x-litellm-tags} header (comma-separated), of the body's {@code tags} and
 * {@code metadata.tags} arrays ({@link TagFields}, taken out of the body before it is forwarded), then of the key's and
 * its team's {@code metadata.tags}. The client's tags are refused when there are too many or one is too long (a 400
 * naming the limit); the key's and team's fill what room is left.
 */
final class RequestAttribution {

  static final String HEADER = "x-litellm-tags";

  private RequestAttribution() {
  }

  /** @throws dev.affinity.model.GatewayErrorException a 400 for tags that are not strings, too many or too long */
  static Attribution read(JsonNode json, MultiMap headers, Identity identity) {
    Set<String> tags = new LinkedHashSet<>();
    String header = headers.get(HEADER);
    if (header != null) {
      for (String tag : header.split(",")) {
        take(tags, tag.trim(), HEADER);
      }
    }
    for (JsonNode array : TagFields.of(json)) {
      for (JsonNode tag : array) {
        if (!tag.isTextual()) {
          throw GatewayError.invalidField("metadata.tags", "metadata.tags (or tags) must be an array of strings")
              .toReplyException();
        }
        take(tags, tag.textValue().trim(), "metadata.tags");
      }
    }
    Attribution attribution = new Attribution(endUser(json), new ArrayList<>(tags));
    for (Map<String, Object> metadata : owners(identity)) {
      attribution = attribution.withTags(ownTags(metadata));
    }
    return attribution;
  }

  /** The strings of a key's or team's {@code metadata.tags}, trimmed; {@link Attribution#withTags} bounds them. */
  private static List<String> ownTags(Map<String, Object> metadata) {
    List<String> names = new ArrayList<>();
    if (metadata.get("tags") instanceof List<?> own) {
      for (Object tag : own) {
        if (tag instanceof String name) {
          names.add(name.trim());
        }
      }
    }
    return names;
  }

  private static void take(Set<String> tags, String tag, String from) {
    if (tag.isEmpty()) {
      return;
    }
    if (tag.length() > Attribution.MAX_CHARS) {
      throw GatewayError.invalidField(from, from + ": a tag has at most " + Attribution.MAX_CHARS + " characters")
          .toReplyException();
    }
    if (tags.add(tag) && tags.size() > Attribution.MAX_TAGS) {
      throw GatewayError.invalidField(from, "a request has at most " + Attribution.MAX_TAGS + " tags (" + HEADER
          + ", tags and metadata.tags together)").toReplyException();
    }
  }

  private static List<Map<String, Object>> owners(Identity identity) {
    List<Map<String, Object>> metadata = new ArrayList<>(2);
    if (identity.key() != null) {
      metadata.add(identity.key().metadata());
    }
    if (identity.team() != null) {
      metadata.add(identity.team().metadata());
    }
    return metadata;
  }

  private static String endUser(JsonNode json) {
    JsonNode user = json.path("user");
    if (user.isTextual() && !user.textValue().isEmpty()) {
      return user.textValue();
    }
    JsonNode userId = json.path("metadata").path("user_id");
    return userId.isTextual() ? userId.textValue() : null;
  }
}
