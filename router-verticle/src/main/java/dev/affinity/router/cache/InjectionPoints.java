package dev.affinity.router.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Adds {@code cache_control} markers where the operator configured them, with the semantics of LiteLLM's
 * {@code cache_control_injection_points} ({@code AnthropicCacheControlHook}), applied to an Anthropic Messages
 * request:
 * <ul>
 *   <li>A point targets the messages of a {@code role}, or the message at {@code index} of {@code messages}
 *       (negative counts from the end; out of range targets nothing). When both are given, {@code index} wins.</li>
 *   <li>The marker is {@code {"type":"ephemeral"}}, with {@code "ttl"} when the point's {@code control} has one.</li>
 *   <li>List content: the marker goes on the last content block. String content: it becomes a one-block list, the
 *       block carrying the marker. (LiteLLM's hook sets a message-level {@code cache_control} there, which its
 *       Anthropic transformation then moves onto that same text block; the Messages API has no message-level marker,
 *       so we write what reaches the wire. Both forms hash alike in {@link PrefixChain}.)</li>
 *   <li>A target that already carries a marker (message-level or on any block) is left alone: the client's
 *       placement and TTL are kept.</li>
 *   <li>Points apply in configured order until the request holds {@value #MAX_MARKERS} markers, the provider's
 *       limit, counting the client's on tools, system, messages and the request itself; the rest are skipped and
 *       counted.</li>
 * </ul>
 * Additions for the Anthropic-native shape, where {@code system} is not a message: a {@code role: system} point
 * targets the top-level {@code system} (its last block) first, then any {@code role: system} messages in the list;
 * indices count {@code messages} only. Deviations, both to avoid a request the provider rejects: empty content is
 * not marked, nor a last block that is {@code thinking} or {@code redacted_thinking}.
 */
public final class InjectionPoints {

  /** Anthropic rejects a request with more {@code cache_control} blocks than this. */
  public static final int MAX_MARKERS = 4;

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private InjectionPoints() {
  }

  /**
   * One configured injection point ({@code location: message}).
   *
   * @param role  target the messages of this role, or {@code null}
   * @param index target the message at this index (negative from the end), or {@code null}; wins over role
   * @param ttl   the marker's TTL, or {@code null} for a marker without {@code ttl} (the provider's 5 minutes)
   */
  public record Point(String role, Integer index, CacheTtl ttl) {

    public Point {
      if (role == null && index == null) {
        throw new IllegalArgumentException("an injection point needs a role or an index");
      }
    }

    public static Point forRole(String role) {
      return new Point(role, null, null);
    }

    public static Point atIndex(int index) {
      return new Point(null, index, null);
    }

    public Point withTtl(CacheTtl ttl) {
      return new Point(role, index, ttl);
    }

    /**
     * A point as LiteLLM configures it: {@code {"location":"message","role":"system"}},
     * {@code {"location":"message","index":-1,"control":{"type":"ephemeral","ttl":"1h"}}}; the index may be a
     * numeric string. Empty for other locations (Bedrock's {@code tool_config}) and for points that target nothing.
     */
    public static Optional<Point> fromConfig(JsonNode point) {
      if (!"message".equals(point.path("location").textValue())) {
        return Optional.empty();
      }
      Integer index = null;
      JsonNode indexNode = point.get("index");
      if (indexNode != null && indexNode.canConvertToInt() && indexNode.isIntegralNumber()) {
        index = indexNode.intValue();
      } else if (indexNode != null && indexNode.isTextual()) {
        try {
          index = Integer.valueOf(indexNode.textValue().trim());
        } catch (NumberFormatException notAnIndex) {
          // LiteLLM ignores an index it cannot read and falls back to the role.
        }
      }
      String role = point.path("role").textValue();
      if (role == null && index == null) {
        return Optional.empty();
      }
      JsonNode control = point.get("control");
      CacheTtl ttl = control != null && control.hasNonNull("ttl") ? CacheTtl.ofMarker(control) : null;
      return Optional.of(new Point(role, index, ttl));
    }

    ObjectNode marker() {
      ObjectNode marker = JSON.objectNode().put("type", "ephemeral");
      if (ttl != null) {
        marker.put("ttl", ttl.wireValue());
      }
      return marker;
    }
  }

  /**
   * What {@link #apply} did.
   *
   * @param injected       markers added
   * @param alreadyMarked  targets left alone because the client marked them
   * @param skippedOverCap targets not marked because the request reached {@value #MAX_MARKERS} markers
   */
  public record Outcome(int injected, int alreadyMarked, int skippedOverCap) {
  }

  /** Adds the markers of {@code points} to {@code request}, in place. */
  public static Outcome apply(ObjectNode request, List<Point> points) {
    int used = countMarkers(request);
    int injected = 0;
    int alreadyMarked = 0;
    int skipped = 0;
    for (Point point : points) {
      for (Target target : targets(request, point)) {
        if (target.isMarked()) {
          alreadyMarked++;
        } else if (!target.isMarkable()) {
          continue;
        } else if (used >= MAX_MARKERS) {
          skipped++;
        } else {
          target.mark(point.marker());
          used++;
          injected++;
        }
      }
    }
    return new Outcome(injected, alreadyMarked, skipped);
  }

  /** Markers anywhere the provider counts them: tools, system blocks, messages and their blocks, the request. */
  static int countMarkers(JsonNode request) {
    int count = hasMarker(request) ? 1 : 0;
    for (JsonNode tool : request.path("tools")) {
      count += hasMarker(tool) ? 1 : 0;
    }
    count += markedBlocks(request.path("system"));
    for (JsonNode message : request.path("messages")) {
      count += (hasMarker(message) ? 1 : 0) + markedBlocks(message.path("content"));
    }
    return count;
  }

  private static int markedBlocks(JsonNode content) {
    int count = 0;
    if (content.isArray()) {
      for (JsonNode block : content) {
        count += hasMarker(block) ? 1 : 0;
      }
    }
    return count;
  }

  private static boolean hasMarker(JsonNode node) {
    JsonNode marker = node.get(CanonicalJson.CACHE_CONTROL);
    return marker != null && !marker.isNull();
  }

  private static List<Target> targets(ObjectNode request, Point point) {
    List<Target> targets = new ArrayList<>();
    JsonNode messages = request.path("messages");
    if (point.index() != null) {
      int index = point.index() < 0 ? point.index() + messages.size() : point.index();
      if (messages.isArray() && index >= 0 && index < messages.size() && messages.get(index).isObject()) {
        targets.add(new Target((ObjectNode) messages.get(index), "content", true));
      }
      return targets;
    }
    if ("system".equals(point.role()) && request.hasNonNull("system")) {
      targets.add(new Target(request, "system", false));
    }
    for (JsonNode message : messages) {
      if (message.isObject() && point.role().equals(message.path("role").textValue())) {
        targets.add(new Target((ObjectNode) message, "content", true));
      }
    }
    return targets;
  }

  /**
   * A place that takes one marker: a message's content, or the request's top-level system.
   *
   * @param owner        the object holding the content
   * @param field        {@code content} or {@code system}
   * @param ownerMarkable whether a marker on the owner itself counts (a message-level marker does; the request's
   *                     top-level marker is about the whole request, not its system prompt)
   */
  private record Target(ObjectNode owner, String field, boolean ownerMarkable) {

    boolean isMarked() {
      return (ownerMarkable && hasMarker(owner)) || markedBlocks(owner.path(field)) > 0;
    }

    boolean isMarkable() {
      JsonNode content = owner.get(field);
      if (content == null) {
        return false;
      }
      if (content.isTextual()) {
        return !content.textValue().isEmpty();
      }
      if (!content.isArray() || content.isEmpty() || !content.get(content.size() - 1).isObject()) {
        return false;
      }
      String lastType = content.get(content.size() - 1).path("type").textValue();
      return !"thinking".equals(lastType) && !"redacted_thinking".equals(lastType);
    }

    void mark(ObjectNode marker) {
      JsonNode content = owner.get(field);
      if (content.isTextual()) {
        ArrayNode blocks = owner.putArray(field);
        blocks.addObject().put("type", "text").put("text", content.textValue()).set(CanonicalJson.CACHE_CONTROL,
            marker);
      } else {
        ((ObjectNode) content.get(content.size() - 1)).set(CanonicalJson.CACHE_CONTROL, marker);
      }
    }
  }
}
