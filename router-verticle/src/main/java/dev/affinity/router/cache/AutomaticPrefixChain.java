package dev.affinity.router.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The prefix chain of a request to a provider that caches prefixes automatically, without markers (OpenAI Chat
 * Completions; later Gemini, vLLM, SGLang). The provider caches any prefix past its minimum, so every boundary is a
 * candidate, and the request is sent where the longest one is pinned.
 *
 * <h2>Layout and identity</h2>
 * Blocks in the provider's cache order: each entry of {@code tools} (and legacy {@code functions}), the
 * {@code response_format} when it carries a JSON schema (OpenAI caches it as a prefix of the system message), then
 * each message. A message is laid out as its content parts, then one block of its other fields ({@code tool_calls},
 * {@code tool_call_id}, {@code name}...; null and empty values left out, as clients echo them inconsistently). A
 * string {@code content} is one text part, so {@code "s"} and {@code [{"type":"text","text":"s"}]} hash alike; empty
 * text parts are nothing, so {@code ""}, {@code null} and {@code []} hash alike; a message with nothing at all is
 * still one (empty) block, so that it cannot vanish from the prefix. {@code cache_control} is stripped from tools,
 * parts and messages. The role is part of the first block of each message, which also marks where a message starts
 * (two one-part messages differ from one two-part message).
 *
 * <h2>Chunks</h2>
 * A text part longer than {@code chunkTokens} estimated tokens ({@code 4 × chunkTokens} UTF-16 characters, never
 * splitting a surrogate pair) is cut into chunks of that size, each a block of its own; the last chunk holds the rest.
 * A chunk's end depends only on the text before it, so appending text to a part leaves every full chunk's key as it
 * was, and a long system prompt yields one boundary per chunk.
 *
 * <h2>Hashes and tokens</h2>
 * As in {@link PrefixChain}: {@code h[i] = XXH3-128(h[i-1] ‖ tags ‖ canonical(block i))},
 * {@code h[-1]} derived from the scope seed (with a scheme name of its own, so that keys never meet those of marker
 * chains), keys in 22-character base64url. {@link #tokensThrough(int)} is cumulative, as {@link TokenEstimate} counts
 * (a chunk of {@code 4 × chunkTokens} characters is exactly {@code chunkTokens} tokens).
 *
 * <h2>Which boundaries are looked up and pinned</h2>
 * Two kinds of boundary matter. A <em>message end</em> (the last block of a message, and the last block of the
 * request) is where an earlier request of the same conversation ended. A <em>stride</em> is the first boundary at or
 * past a multiple of {@code chunkTokens} tokens; strides are spread evenly over the prompt and, like chunks, depend
 * only on what comes before them. Past the minimum, the lookup ({@link #lookupPlan(int)}) fetches, longest first:
 * <ul>
 *   <li>the {@value #MESSAGE_END_PROBES} longest message ends: a conversation that grows by whole messages (the
 *       previous prompt, the assistant's reply, tool results, the next user message) finds the previous request's end,
 *       as long as one turn appends fewer than {@value #MESSAGE_END_PROBES} messages;</li>
 *   <li>the {@value #RECENT_STRIDE_PROBES} longest strides: a prompt that grows inside one message (a transcript
 *       flattened into one text) finds its previous full chunks;</li>
 *   <li>the {@value #EARLY_STRIDE_PROBES} shortest strides at a power-of-two multiple of {@code chunkTokens}: a long
 *       conversation keeps refreshing the pins of its beginning (the shared system prompt), which other conversations
 *       starting from the same instructions then find.</li>
 * </ul>
 * At most {@value #MAX_PROBES} keys, whatever the prompt's length. The pin plan ({@link #pinPlan(int)}) is thinned to
 * keep the pin map small: the end of the request (which becomes a message end of the next turn) and the strides
 * looked up, never an intermediate message end. Every pin is also looked up, so a pin is refreshed, not claimed again,
 * by the next request that carries it.
 *
 * <h2>{@code prompt_cache_key}</h2>
 * When the request carries one, block 0 is a pseudo-block keyed {@link PromptCacheKey#pinKey(String, String)}: no
 * content, 0 tokens, and not part of the hash chain (the blocks after it hash as without it, so the prefix pins are
 * shared across keys). It is always looked up and always pinned, whatever the prompt's size, and as the shortest
 * block it has the lowest priority: the longest pinned prefix wins over it, and it decides only when no prefix of the
 * prompt is pinned to an eligible deployment. So requests with one key share a deployment from their first, short
 * request on, and the first of them to reach the minimum pins its prefixes there.
 *
 * <p>Every probe and pin carries the chain's TTL ({@link CacheTtl#FIVE_MINUTES} for OpenAI's in-memory cache,
 * {@link CacheTtl#TWENTY_FOUR_HOURS} for {@code "prompt_cache_retention":"24h"}). Building a chain reads the request
 * and does not change it. Instances are immutable.
 */
public final class AutomaticPrefixChain {

  /** Chunk and stride size: about 2,048 characters of text. */
  public static final int DEFAULT_CHUNK_TOKENS = 512;
  /** Message ends looked up: the previous request's end is found if one turn appends fewer messages than this. */
  public static final int MESSAGE_END_PROBES = 24;
  /** Longest strides looked up. */
  public static final int RECENT_STRIDE_PROBES = 28;
  /** Shortest power-of-two strides looked up: 12 cover the first {@code 4096 × chunkTokens} tokens. */
  public static final int EARLY_STRIDE_PROBES = 12;
  /** Upper bound on the prefix keys of a lookup (the prompt-cache-key pseudo-block comes on top). */
  public static final int MAX_PROBES = MESSAGE_END_PROBES + RECENT_STRIDE_PROBES + EARLY_STRIDE_PROBES;

  /** Bump when the hashed layout changes: keys of different versions never meet in the pin map. */
  private static final String SCHEME = "affinity/automatic-prefix-chain/v" + PrefixKey.VERSION;
  private static final int KEY_BYTES = 16;
  // Chunks are at most 4 Mi characters, so that offsets never overflow.
  private static final int MAX_CHUNK_TOKENS = 1 << 20;
  private static final Set<String> NOT_FIELDS = Set.of("role", "content", CanonicalJson.CACHE_CONTROL);

  // Block tags: what a block is, hashed before its content.
  private static final byte TOOL = 'T';
  private static final byte RESPONSE_FORMAT = 'R';
  private static final byte MESSAGE = 'M';
  private static final byte TEXT = 'X';
  private static final byte CONTINUATION = 'C';
  private static final byte PART = 'P';
  private static final byte FIELDS = 'F';
  private static final byte EMPTY = 'E';

  // Boundary flags.
  private static final byte END = 1;
  private static final byte STRIDE = 2;
  private static final byte POWER_OF_TWO_STRIDE = 4;


  private final byte[] hashes;
  private final long[] tokensThrough;
  private final byte[] flags;
  private final String[] keys;
  private final int first;
  private final CacheTtl ttl;

  private AutomaticPrefixChain(byte[] hashes, long[] tokensThrough, byte[] flags, String promptCacheKeyPin,
                               CacheTtl ttl) {
    this.hashes = hashes;
    this.tokensThrough = tokensThrough;
    this.flags = flags;
    this.keys = new String[tokensThrough.length];
    this.first = promptCacheKeyPin == null ? 0 : 1;
    if (promptCacheKeyPin != null) {
      keys[0] = promptCacheKeyPin;
    }
    this.ttl = ttl;
  }

  /**
   * The chain of a Chat Completions request with {@value #DEFAULT_CHUNK_TOKENS}-token chunks and the TTL its
   * {@code prompt_cache_retention} asks for ({@link CacheTtl#ofRetention(JsonNode)}).
   */
  public static AutomaticPrefixChain ofChatCompletions(JsonNode request, String scopeSeed) {
    return ofChatCompletions(request, scopeSeed, DEFAULT_CHUNK_TOKENS, CacheTtl.ofRetention(request));
  }

  /** The chain of a Chat Completions request, with the TTL its {@code prompt_cache_retention} asks for. */
  public static AutomaticPrefixChain ofChatCompletions(JsonNode request, String scopeSeed, int chunkTokens) {
    return ofChatCompletions(request, scopeSeed, chunkTokens, CacheTtl.ofRetention(request));
  }

  /**
   * The chain of a Chat Completions request.
   *
   * @param request     the parsed body ({@code tools}, {@code functions}, {@code response_format}, {@code messages},
   *                    {@code prompt_cache_key}); other fields are not part of the prefix
   * @param scopeSeed   names the cache scope, e.g. tenant namespace and alias: the same prompt in two scopes never
   *                    shares a key
   * @param chunkTokens chunk and stride size in estimated tokens, 1 to 2<sup>20</sup>
   * @param ttl         how long the provider keeps a prefix, for every probe and pin
   */
  public static AutomaticPrefixChain ofChatCompletions(JsonNode request, String scopeSeed, int chunkTokens,
                                                       CacheTtl ttl) {
    if (chunkTokens < 1 || chunkTokens > MAX_CHUNK_TOKENS) {
      throw new IllegalArgumentException("chunkTokens must be between 1 and " + MAX_CHUNK_TOKENS + ": " + chunkTokens);
    }
    String pin = PromptCacheKey.of(request).map(key -> PromptCacheKey.pinKey(scopeSeed, key)).orElse(null);
    JsonNode tools = request.path("tools");
    JsonNode functions = request.path("functions");
    JsonNode messages = request.path("messages");
    Builder chain = new Builder(scopeSeed, chunkTokens, pin != null,
        tools.size() + functions.size() + 2 * messages.size() + 2);
    for (JsonNode tool : tools) {
      chain.block(TOOL, tool, -1);
    }
    for (JsonNode function : functions) {
      chain.block(TOOL, function, -1);
    }
    JsonNode format = request.get("response_format");
    if (format != null && "json_schema".equals(format.path("type").textValue())) {
      chain.block(RESPONSE_FORMAT, format, -1);
    }
    for (JsonNode message : messages) {
      chain.message(message);
    }
    return chain.build(pin, ttl);
  }

  /** Number of blocks, the prompt-cache-key pseudo-block included. */
  public int size() {
    return tokensThrough.length;
  }

  /** Whether block 0 is the prompt-cache-key pseudo-block. */
  public boolean hasPromptCacheKey() {
    return first == 1;
  }

  /** The key of the prefix that ends with block {@code block}; for the pseudo-block, the prompt-cache-key pin key. */
  public String key(int block) {
    // Encoded on first use; a race between threads only encodes the same string twice.
    String key = keys[block];
    if (key == null) {
      key = PrefixKey.of(hashes, block * KEY_BYTES);
      keys[block] = key;
    }
    return key;
  }

  /** Estimated tokens of the prefix that ends with block {@code block} (0 for the pseudo-block). */
  public long tokensThrough(int block) {
    return tokensThrough[block];
  }

  /** Estimated tokens of the whole prompt; 0 for an empty chain. */
  public long totalTokens() {
    return tokensThrough.length == 0 ? 0 : tokensThrough[tokensThrough.length - 1];
  }

  /** Whether block {@code block} ends a message (or the request). */
  public boolean endsMessage(int block) {
    return (flags[block] & END) != 0;
  }

  /** Whether block {@code block} is a stride: the first boundary at or past a multiple of the chunk size. */
  public boolean isStride(int block) {
    return (flags[block] & STRIDE) != 0;
  }

  /** The TTL of every probe and pin. */
  public CacheTtl ttl() {
    return ttl;
  }

  /** The keys to fetch for a model that caches prefixes of {@code minimumTokens} and more; see the class comment. */
  public LookupPlan lookupPlan(int minimumTokens) {
    List<LookupPlan.Probe> probes = new ArrayList<>();
    for (int block : lookupBlocks(minimumTokens)) {
      probes.add(new LookupPlan.Probe(key(block), block, ttl));
    }
    return LookupPlan.ofProbes(probes, this::tokensThrough);
  }

  /** The prefixes to pin for a model that caches prefixes of {@code minimumTokens} and more; see the class comment. */
  public PinPlan pinPlan(int minimumTokens) {
    List<PinPlan.Pin> pins = new ArrayList<>();
    int last = size() - 1;
    for (int block : lookupBlocks(minimumTokens)) {
      if (block < first || block == last || isStride(block)) {
        pins.add(new PinPlan.Pin(key(block), block, ttl));
      }
    }
    return PinPlan.ofPins(pins);
  }

  /** The blocks looked up, in ascending order: the pseudo-block, message ends and strides past the minimum. */
  private Set<Integer> lookupBlocks(int minimumTokens) {
    Set<Integer> blocks = new TreeSet<>();
    if (first == 1) {
      blocks.add(0);
    }
    int ends = 0;
    int strides = 0;
    int powers = 0;
    for (int i = size() - 1; i >= first && tokensThrough[i] >= minimumTokens; i--) {
      if (ends < MESSAGE_END_PROBES && endsMessage(i)) {
        blocks.add(i);
        ends++;
      }
      if (strides < RECENT_STRIDE_PROBES && isStride(i)) {
        blocks.add(i);
        strides++;
      }
    }
    // The beginning, from the shortest prefix past the minimum up.
    for (int i = first; i < size() && powers < EARLY_STRIDE_PROBES; i++) {
      if (tokensThrough[i] >= minimumTokens && (flags[i] & POWER_OF_TWO_STRIDE) != 0) {
        blocks.add(i);
        powers++;
      }
    }
    return blocks;
  }

  private static final class Builder {
    private final ChainHash digest;
    private final CanonicalJson.Feed feed;
    private final byte[] seed;
    private final int chunkTokens;
    private final int chunkChars;
    private final int first;
    private byte[] hashes;
    private long[] tokens;
    private byte[] flags;
    private int size;
    private long pendingOverhead;
    private String openingRole;

    Builder(String scopeSeed, int chunkTokens, boolean pseudoBlock, int capacity) {
      digest = ChainHash.of(ChainHash.Kind.XXH3_128);
      feed = new CanonicalJson.Feed(digest);
      digest.update(SCHEME.getBytes(StandardCharsets.UTF_8));
      digest.update((byte) 0);
      digest.update(scopeSeed.getBytes(StandardCharsets.UTF_8));
      seed = new byte[KEY_BYTES];
      digest.finish(seed, 0);
      this.chunkTokens = chunkTokens;
      this.chunkChars = chunkTokens * 4;
      this.first = pseudoBlock ? 1 : 0;
      int slots = capacity + first;
      hashes = new byte[slots * KEY_BYTES];
      tokens = new long[slots];
      flags = new byte[slots];
      // The pseudo-block's slot: no hash (its key is given), no tokens, no flags.
      size = first;
    }

    void message(JsonNode message) {
      openingRole = message.path("role").asText("");
      // Added up, so that the overhead of a message is counted on its first block.
      pendingOverhead += TokenEstimate.PER_MESSAGE;
      int before = size;
      JsonNode content = message.get("content");
      if (content != null && content.isTextual()) {
        text(content.textValue());
      } else if (content != null && content.isArray()) {
        for (JsonNode part : content) {
          String text = plainText(part);
          if (text != null) {
            text(text);
          } else if (!part.isNull()) {
            block(PART, part, -1);
          }
        }
      }
      ObjectNode fields = fields(message);
      if (fields != null) {
        block(FIELDS, fields, -1);
      }
      if (size == before) {
        block(EMPTY, NullNode.getInstance(), 0);
      }
      flags[size - 1] |= END;
    }

    /** A text part: one block per chunk. Empty text is no block. */
    private void text(String text) {
      int length = text.length();
      byte tag = TEXT;
      for (int start = 0; start < length; ) {
        int end = length - start <= chunkChars ? length : start + chunkChars;
        if (end < length && Character.isHighSurrogate(text.charAt(end - 1))
            && Character.isLowSurrogate(text.charAt(end))) {
          end++;
        }
        String chunk = start == 0 && end == length ? text : text.substring(start, end);
        block(tag, TextNode.valueOf(chunk), chunk.codePointCount(0, chunk.length()));
        tag = CONTINUATION;
        start = end;
      }
    }

    /**
     * Hashes one block after the previous one.
     *
     * @param codePoints the text's code points for a text chunk, {@code -1} to estimate from the canonical JSON
     */
    void block(byte tag, JsonNode payload, long codePoints) {
      int i = size;
      if (i == tokens.length) {
        int grown = Math.max(2 * i, 8);
        hashes = Arrays.copyOf(hashes, grown * KEY_BYTES);
        tokens = Arrays.copyOf(tokens, grown);
        flags = Arrays.copyOf(flags, grown);
      }
      if (i == first) {
        feed.raw(seed, 0, KEY_BYTES);
      } else {
        feed.raw(hashes, (i - 1) * KEY_BYTES, KEY_BYTES);
      }
      if (openingRole != null) {
        feed.raw(MESSAGE);
        // Length-prefixed, so that the role and the block that follows cannot be confused.
        feed.label(openingRole);
        openingRole = null;
      }
      feed.raw(tag);
      feed.block(payload, codePoints < 0);
      feed.flush();
      digest.finish(hashes, i * KEY_BYTES);

      long before = i == 0 ? 0 : tokens[i - 1];
      long through = before + pendingOverhead
          + TokenEstimate.ofChars(codePoints >= 0 ? codePoints : feed.chars());
      pendingOverhead = 0;
      tokens[i] = through;
      long from = before / chunkTokens;
      long to = through / chunkTokens;
      if (to > from) {
        flags[i] |= STRIDE;
        // Some power of two p with from < p <= to: the largest one at most `to` is past `from`.
        if (Long.highestOneBit(to) > from) {
          flags[i] |= POWER_OF_TWO_STRIDE;
        }
      }
      size = i + 1;
    }

    AutomaticPrefixChain build(String promptCacheKeyPin, CacheTtl ttl) {
      if (size > first) {
        flags[size - 1] |= END;
      }
      return new AutomaticPrefixChain(Arrays.copyOf(hashes, size * KEY_BYTES), Arrays.copyOf(tokens, size),
          Arrays.copyOf(flags, size), promptCacheKeyPin, ttl);
    }

    /** The text of a part that is nothing but text (a string, or a text part with at most a marker besides). */
    private static String plainText(JsonNode part) {
      if (part.isTextual()) {
        return part.textValue();
      }
      JsonNode text = part.get("text");
      if (!part.isObject() || text == null || !text.isTextual() || !"text".equals(part.path("type").textValue())) {
        return null;
      }
      for (Map.Entry<String, JsonNode> field : part.properties()) {
        String name = field.getKey();
        if (!"type".equals(name) && !"text".equals(name) && !CanonicalJson.CACHE_CONTROL.equals(name)) {
          return null;
        }
      }
      return text.textValue();
    }

    /** A message's fields besides role, content and marker, without null or empty values; null when none. */
    private static ObjectNode fields(JsonNode message) {
      ObjectNode fields = null;
      for (Map.Entry<String, JsonNode> field : message.properties()) {
        JsonNode value = field.getValue();
        if (NOT_FIELDS.contains(field.getKey()) || value.isNull() || (value.isContainerNode() && value.isEmpty())) {
          continue;
        }
        if (fields == null) {
          fields = JsonNodeFactory.instance.objectNode();
        }
        // A new node referring to the request's values: the request itself is not changed.
        fields.set(field.getKey(), value);
      }
      return fields;
    }
  }
}
