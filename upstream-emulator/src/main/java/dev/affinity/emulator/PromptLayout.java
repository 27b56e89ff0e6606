package dev.affinity.emulator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A request laid out in Anthropic's cache order (tools, then system, then messages), one block per tool definition,
 * system block and message content block, with the chained prefix hashes, cumulative token counts and the cache
 * breakpoints.
 *
 * <p>A block's identity is its section (and role, for message blocks) plus its canonical JSON without
 * {@code cache_control}: markers are not content, and a string is the same content as one text block. The prefix
 * hash of block {@code i} is {@code SHA-256(hash[i-1] || identity(i))}, seeded with the model id, so it names the
 * whole prefix up to and including block {@code i} on that model. Extended thinking's settings are part of every
 * message block's prefix: "changes to thinking parameters (enabled/disabled or budget allocation) invalidate message
 * cache breakpoints", while the tools and system stay cached.
 */
final class PromptLayout {

  /** Anthropic honours at most this many cache breakpoints per request. */
  static final int MAX_BREAKPOINTS = 4;

  private final List<String> hashes;
  private final long[] prefixTokens;
  private final List<Breakpoint> breakpoints;
  private final long totalTokens;

  /** A block carrying a cache marker, with the marker's lifetime. */
  record Breakpoint(int block, CacheTtl ttl) {
  }

  private PromptLayout(List<String> hashes, long[] prefixTokens, List<Breakpoint> breakpoints, long totalTokens) {
    this.hashes = hashes;
    this.prefixTokens = prefixTokens;
    this.breakpoints = breakpoints;
    this.totalTokens = totalTokens;
  }

  /**
   * Lays out {@code body} for {@code model}.
   *
   * @throws ApiError (400) when the tools, system or messages are malformed or the markers break Anthropic's rules
   */
  static PromptLayout of(String model, JsonObject body) {
    Builder builder = new Builder(model);
    Object tools = body.getValue("tools");
    if (tools != null) {
      JsonArray list = requireArray(tools, "tools");
      for (int i = 0; i < list.size(); i++) {
        JsonObject tool = requireObject(list.getValue(i), "tools." + i);
        builder.addJsonBlock("tool", tool, "tools." + i);
      }
    }
    Object system = body.getValue("system");
    if (system instanceof String text) {
      builder.addTextBlock("system", text, null);
    } else if (system != null) {
      JsonArray blocks = requireArray(system, "system");
      for (int i = 0; i < blocks.size(); i++) {
        builder.addContentBlock("system", requireObject(blocks.getValue(i), "system." + i), "system." + i);
      }
    }
    if (body.getValue("thinking") instanceof JsonObject thinking && !"disabled".equals(thinking.getValue("type"))) {
      builder.enterMessages(CanonicalJson.of(thinking));
    }
    JsonArray messages = body.getJsonArray("messages");
    for (int m = 0; m < messages.size(); m++) {
      String where = "messages." + m;
      JsonObject message = requireObject(messages.getValue(m), where);
      if (!(message.getValue("role") instanceof String role)) {
        throw ApiError.invalidRequest(where + ".role: Field required");
      }
      int firstBlock = builder.startMessage();
      Object content = message.getValue("content");
      String section = "message:" + role;
      if (content instanceof String text) {
        builder.addTextBlock(section, text, null);
      } else if (content instanceof JsonArray blocks) {
        for (int i = 0; i < blocks.size(); i++) {
          String blockWhere = where + ".content." + i;
          builder.addContentBlock(section, requireObject(blocks.getValue(i), blockWhere), blockWhere);
        }
      } else {
        throw ApiError.invalidRequest(where + ".content: Input should be a valid string or a list of content blocks");
      }
      Object messageMarker = message.getValue("cache_control");
      if (messageMarker != null) {
        builder.markLastBlock(parseMarker(messageMarker, where + ".cache_control"), firstBlock);
      }
    }
    Object requestMarker = body.getValue("cache_control");
    if (requestMarker != null) {
      builder.markLastBlock(parseMarker(requestMarker, "cache_control"), 0);
    }
    return builder.build();
  }

  int blockCount() {
    return hashes.size();
  }

  String hash(int block) {
    return hashes.get(block);
  }

  /** Tokens of blocks {@code 0..block} inclusive (message overheads included). */
  long prefixTokens(int block) {
    return prefixTokens[block];
  }

  long totalTokens() {
    return totalTokens;
  }

  /** Breakpoints in block order. */
  List<Breakpoint> breakpoints() {
    return breakpoints;
  }

  /** A stable fingerprint of the whole prompt (the last prefix hash), used to make answers deterministic. */
  String fingerprint() {
    return hashes.isEmpty() ? "" : hashes.get(hashes.size() - 1);
  }

  static CacheTtl parseMarker(Object marker, String where) {
    if (!(marker instanceof JsonObject object)) {
      throw ApiError.invalidRequest(where + ": Input should be an object");
    }
    if (!"ephemeral".equals(object.getValue("type"))) {
      throw ApiError.invalidRequest(where + ".type: Input should be 'ephemeral'");
    }
    Object ttl = object.getValue("ttl");
    if (ttl == null || "5m".equals(ttl)) {
      return CacheTtl.FIVE_MINUTES;
    }
    if ("1h".equals(ttl)) {
      return CacheTtl.ONE_HOUR;
    }
    throw ApiError.invalidRequest(where + ".ttl: Input should be '5m' or '1h'");
  }

  private static JsonArray requireArray(Object value, String where) {
    if (value instanceof JsonArray array) {
      return array;
    }
    throw ApiError.invalidRequest(where + ": Input should be a valid list");
  }

  private static JsonObject requireObject(Object value, String where) {
    if (value instanceof JsonObject object) {
      return object;
    }
    throw ApiError.invalidRequest(where + ": Input should be an object");
  }

  private static final class Builder {

    private final MessageDigest digest;
    private final List<String> hashes = new ArrayList<>();
    private final List<Long> prefixTokens = new ArrayList<>();
    private final List<CacheTtl> markers = new ArrayList<>();
    private byte[] previous;
    private long tokens;
    private long pendingMessageOverhead;

    Builder(String model) {
      try {
        digest = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is required by every Java platform", e);
      }
      previous = digest.digest(model.getBytes(StandardCharsets.UTF_8));
    }

    /** Chains what the messages' prefixes depend on besides their blocks (the thinking settings); adds no block. */
    void enterMessages(String settings) {
      digest.update(previous);
      digest.update("thinking\n".getBytes(StandardCharsets.UTF_8));
      digest.update(settings.getBytes(StandardCharsets.UTF_8));
      previous = digest.digest();
    }

    /** Returns the index the message's first block will get. */
    int startMessage() {
      // Attributed to the message's first block, so that prefix token counts stay stable from turn to turn.
      pendingMessageOverhead += TokenCount.PER_MESSAGE;
      return markers.size();
    }

    void addContentBlock(String section, JsonObject block, String where) {
      if (!(block.getValue("type") instanceof String type)) {
        throw ApiError.invalidRequest(where + ".type: Field required");
      }
      if ("text".equals(type)) {
        if (!(block.getValue("text") instanceof String text)) {
          throw ApiError.invalidRequest(where + ".text: Field required");
        }
        addBlock(section, CanonicalJson.without(block, "cache_control"), TokenCount.ofText(text), marker(block, where));
      } else {
        addJsonBlock(section, block, where);
      }
    }

    void addTextBlock(String section, String text, CacheTtl marker) {
      addBlock(section, CanonicalJson.of(new JsonObject().put("type", "text").put("text", text)),
          TokenCount.ofText(text), marker);
    }

    void addJsonBlock(String section, JsonObject block, String where) {
      String canonical = CanonicalJson.without(block, "cache_control");
      addBlock(section, canonical, TokenCount.ofCanonicalJson(canonical), marker(block, where));
    }

    private static CacheTtl marker(JsonObject block, String where) {
      Object marker = block.getValue("cache_control");
      return marker == null ? null : parseMarker(marker, where + ".cache_control");
    }

    private void addBlock(String section, String canonical, int blockTokens, CacheTtl marker) {
      digest.update(previous);
      digest.update(section.getBytes(StandardCharsets.UTF_8));
      digest.update((byte) '\n');
      digest.update(canonical.getBytes(StandardCharsets.UTF_8));
      previous = digest.digest();
      hashes.add(HexFormat.of().formatHex(previous));
      tokens += blockTokens + pendingMessageOverhead;
      pendingMessageOverhead = 0;
      prefixTokens.add(tokens);
      markers.add(marker);
    }

    /**
     * A message-level or request-level marker: it marks the last block (at or after {@code from}) unless that block
     * carries its own marker.
     */
    void markLastBlock(CacheTtl marker, int from) {
      int last = markers.size() - 1;
      if (last >= from && markers.get(last) == null) {
        markers.set(last, marker);
      }
    }

    PromptLayout build() {
      List<Breakpoint> breakpoints = new ArrayList<>();
      for (int i = 0; i < markers.size(); i++) {
        if (markers.get(i) != null) {
          breakpoints.add(new Breakpoint(i, markers.get(i)));
        }
      }
      if (breakpoints.size() > MAX_BREAKPOINTS) {
        throw ApiError.invalidRequest("A maximum of " + MAX_BREAKPOINTS
            + " blocks with cache_control may be provided. Found " + breakpoints.size() + ".");
      }
      boolean shorterSeen = false;
      for (Breakpoint breakpoint : breakpoints) {
        if (breakpoint.ttl() == CacheTtl.FIVE_MINUTES) {
          shorterSeen = true;
        } else if (shorterSeen) {
          throw ApiError.invalidRequest("A cache_control block with ttl='1h' must not come after a cache_control"
              + " block with ttl='5m'. Note that blocks are processed in the following order: `tools`, `system`,"
              + " `messages`.");
        }
      }
      long[] prefix = prefixTokens.stream().mapToLong(Long::longValue).toArray();
      return new PromptLayout(List.copyOf(hashes), prefix, List.copyOf(breakpoints), tokens + pendingMessageOverhead);
    }
  }
}
