package dev.affinity.router.cache;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A request laid out as the provider caches it, one block after another, each named by the hash of the whole prefix
 * that ends with it.
 *
 * <p>Order is the provider's: every tool, every {@code system} block, every content block of every message. A string
 * {@code system} or message {@code content} is one text block, so a turn a client re-sends as a plain string hashes
 * as it did in list form. A block's identity is its canonical JSON without its own {@code cache_control} (see
 * {@link CanonicalJson}), the section it is in (tool, system, message) and, for messages, the role.
 *
 * <p>{@code h[i] = XXH3-128(h[i-1] ‖ section ‖ role ‖ canonical(block i))}, with {@code h[-1]}
 * derived from the scope seed (tenant namespace and alias): equal keys mean equal prefixes in the same scope, so a
 * flat map from key to deployment behaves like a prefix tree. Keys are written as {@link PrefixKey} says (a version,
 * then unpadded base64url). The canonical form is streamed into the hash (see {@link CanonicalJson}).
 *
 * <p>Breakpoints are the blocks that carry a marker: a block's own {@code cache_control}; a message-level one, which
 * applies to the message's last block; a request-level one, which applies to the last block of the request.
 *
 * <p>Building a chain reads the parsed request and does not change it. Instances are immutable.
 */
public final class PrefixChain {

  /** Bump when the hashed layout changes: keys of different versions never meet in the pin map. */
  private static final String SCHEME = "affinity/prefix-chain/v" + PrefixKey.VERSION;
  private static final int KEY_BYTES = 16;
  private static final byte TOOL = 'T';
  private static final byte SYSTEM = 'S';
  private static final byte MESSAGE = 'M';

  private final byte[] hashes;
  private final long[] tokensThrough;
  private final List<Breakpoint> breakpoints;
  private final String[] keys;
  private final int conversationStart;

  private PrefixChain(byte[] hashes, long[] tokensThrough, List<Breakpoint> breakpoints, int conversationStart) {
    this.hashes = hashes;
    this.tokensThrough = tokensThrough;
    this.breakpoints = breakpoints;
    this.conversationStart = conversationStart;
    this.keys = new String[tokensThrough.length];
  }

  /**
   * The chain of an Anthropic Messages request.
   *
   * @param request   the parsed body ({@code tools}, {@code system}, {@code messages}, optional top-level
   *                  {@code cache_control}); other fields are not part of the prefix
   * @param scopeSeed names the cache scope, e.g. tenant namespace and alias: the same prompt in two scopes never
   *                  shares a key
   */
  public static PrefixChain ofMessages(JsonNode request, String scopeSeed) {
    return ofMessages(request, scopeSeed, ChainHash.Kind.XXH3_128);
  }

  /** The chain built with another hash function: for the benchmark that compares them (keys differ per function). */
  public static PrefixChain ofMessages(JsonNode request, String scopeSeed, ChainHash.Kind hash) {
    Builder chain = new Builder(scopeSeed, countBlocks(request), ChainHash.of(hash));
    for (JsonNode tool : request.path("tools")) {
      chain.block(TOOL, null, tool);
      chain.markIfPresent(tool.get(CanonicalJson.CACHE_CONTROL));
    }
    JsonNode system = request.get("system");
    if (system != null && system.isTextual()) {
      chain.block(SYSTEM, null, system);
    } else if (system != null && system.isArray()) {
      for (JsonNode block : system) {
        chain.block(SYSTEM, null, block);
        chain.markIfPresent(block.get(CanonicalJson.CACHE_CONTROL));
      }
    }
    chain.conversationStart = chain.size;
    for (JsonNode message : request.path("messages")) {
      String role = message.path("role").asText("");
      JsonNode content = message.get("content");
      int before = chain.size;
      chain.startMessage();
      if (content != null && content.isTextual()) {
        chain.block(MESSAGE, role, content);
      } else if (content != null && content.isArray()) {
        for (JsonNode block : content) {
          chain.block(MESSAGE, role, block);
          chain.markIfPresent(block.get(CanonicalJson.CACHE_CONTROL));
        }
      }
      if (chain.size > before) {
        chain.markIfPresent(message.get(CanonicalJson.CACHE_CONTROL));
      }
    }
    chain.markIfPresent(request.get(CanonicalJson.CACHE_CONTROL));
    return chain.build();
  }

  private static int countBlocks(JsonNode request) {
    int count = request.path("tools").size();
    JsonNode system = request.path("system");
    count += system.isTextual() ? 1 : system.size();
    for (JsonNode message : request.path("messages")) {
      JsonNode content = message.path("content");
      count += content.isTextual() ? 1 : content.size();
    }
    return count;
  }

  /** Number of blocks. */
  public int size() {
    return tokensThrough.length;
  }

  /** The key of the prefix that ends with block {@code block}. */
  public String key(int block) {
    // Encoded on first use; a race between threads only encodes the same string twice.
    String key = keys[block];
    if (key == null) {
      key = PrefixKey.of(hashes, block * KEY_BYTES);
      keys[block] = key;
    }
    return key;
  }

  /**
   * The first block of {@code messages}: a prefix that ends before it (tools and system) may be shared by many
   * conversations; one that ends at or after it is a conversation's own (see {@link AffinityDecision}, balance).
   */
  public int conversationStart() {
    return conversationStart;
  }

  /** Estimated tokens of the prefix that ends with block {@code block} (see {@link TokenEstimate}). */
  public long tokensThrough(int block) {
    return tokensThrough[block];
  }

  /** Estimated tokens of the whole prompt; 0 for an empty chain. */
  public long totalTokens() {
    return tokensThrough.length == 0 ? 0 : tokensThrough[tokensThrough.length - 1];
  }

  /** Marked blocks, in block order, at most one per block. */
  public List<Breakpoint> breakpoints() {
    return breakpoints;
  }

  private static final class Builder {
    private final ChainHash digest;
    private final CanonicalJson.Feed feed;
    private final byte[] hashes;
    private final long[] tokens;
    private final CacheTtl[] marks;
    private final byte[] seed;
    private int size;
    private long pendingOverhead;

    Builder(String scopeSeed, int capacity, ChainHash digest) {
      this.digest = digest;
      feed = new CanonicalJson.Feed(digest);
      hashes = new byte[capacity * KEY_BYTES];
      tokens = new long[capacity];
      marks = new CacheTtl[capacity];
      digest.update(SCHEME.getBytes(StandardCharsets.UTF_8));
      digest.update((byte) 0);
      digest.update(scopeSeed.getBytes(StandardCharsets.UTF_8));
      seed = new byte[KEY_BYTES];
      digest.finish(seed, 0);
    }

    /** The next block starts a message: it carries the message's framing overhead. */
    void startMessage() {
      // Added up, so that a message without blocks still counts, on the next block.
      pendingOverhead += TokenEstimate.PER_MESSAGE;
    }

    void block(byte section, String role, JsonNode block) {
      int i = size;
      if (i == 0) {
        feed.raw(seed, 0, KEY_BYTES);
      } else {
        feed.raw(hashes, (i - 1) * KEY_BYTES, KEY_BYTES);
      }
      feed.raw(section);
      if (role != null) {
        // Length-prefixed, so that the role and the block that follows cannot be confused.
        feed.label(role);
      }
      String text = TokenEstimate.textOf(block);
      feed.block(block, text == null);
      feed.flush();
      digest.finish(hashes, i * KEY_BYTES);
      long blockTokens = text != null ? TokenEstimate.ofText(text) : TokenEstimate.ofChars(feed.chars());
      tokens[i] = (i == 0 ? 0 : tokens[i - 1]) + pendingOverhead + blockTokens;
      pendingOverhead = 0;
      size = i + 1;
    }

    /** Marks the last block added, if there is one and the marker is present. */
    void markIfPresent(JsonNode marker) {
      if (marker == null || marker.isNull() || size == 0) {
        return;
      }
      CacheTtl ttl = CacheTtl.ofMarker(marker);
      int last = size - 1;
      marks[last] = marks[last] == null ? ttl : CacheTtl.longer(marks[last], ttl);
    }

    private int conversationStart;

    PrefixChain build() {
      List<Breakpoint> breakpoints = new ArrayList<>(4);
      for (int i = 0; i < size; i++) {
        if (marks[i] != null) {
          breakpoints.add(new Breakpoint(i, marks[i]));
        }
      }
      // The capacity is exact for well-formed requests; a malformed one (an object where a list belongs) may leave
      // slots unused.
      return size == tokens.length ? new PrefixChain(hashes, tokens, List.copyOf(breakpoints), conversationStart)
          : new PrefixChain(Arrays.copyOf(hashes, size * KEY_BYTES), Arrays.copyOf(tokens, size),
              List.copyOf(breakpoints), conversationStart);
    }
  }
}
