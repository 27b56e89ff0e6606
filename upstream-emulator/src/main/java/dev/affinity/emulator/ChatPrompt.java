package dev.affinity.emulator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * A Chat Completions prompt as OpenAI's automatic cache sees it: one token stream (tool definitions, then the
 * messages in order) and the hash of every prefix of that stream that ends on a cache boundary: 1024 tokens, then
 * every 128 tokens up to the prompt's length.
 *
 * <p>Token positions come from the emulator's {@link TokenCount} formula, applied piece by piece:
 * <ul>
 *   <li>a tool definition is its canonical JSON, 4 characters a token;</li>
 *   <li>a message opens with {@value TokenCount#PER_MESSAGE} tokens for its header (the message without
 *       {@code content} and {@code tool_calls}: role, name, tool_call_id...), the whole header hashed into the first;</li>
 *   <li>then its content: a string, or each text part's {@code text}, 4 code points a token; any other part (image,
 *       audio, file) is its canonical JSON, 4 characters a token;</li>
 *   <li>then an assistant's {@code tool_calls}, as canonical JSON, 4 characters a token.</li>
 * </ul>
 * So token {@code k} of a piece is characters {@code [4k, 4k+4)} of its text, and the prefix that ends at token
 * {@code p} is exactly the characters of the first {@code p} tokens: two prompts share a cached prefix when they
 * agree on those characters, even inside a long message, as with a real tokenizer.
 *
 * <p>Hashes are seeded with the model and the {@code prompt_cache_key}: caches are model-specific, and requests with
 * different keys are routed (and so cached) apart.
 */
final class ChatPrompt {

  /** OpenAI caches prompts from this length on. */
  static final int MINIMUM_CACHEABLE_TOKENS = 1024;
  /** Past the minimum, cached prefixes grow in steps of this many tokens. */
  static final int CACHE_INCREMENT_TOKENS = 128;

  private final long totalTokens;
  private final long[] boundaries;
  private final List<String> hashes;
  private final String fingerprint;

  private ChatPrompt(long totalTokens, long[] boundaries, List<String> hashes, String fingerprint) {
    this.totalTokens = totalTokens;
    this.boundaries = boundaries;
    this.hashes = hashes;
    this.fingerprint = fingerprint;
  }

  /**
   * Lays out a prompt whose {@code tools} (may be null) and {@code messages} were validated: arrays of objects.
   *
   * @param cacheKey the request's {@code prompt_cache_key}, or null
   */
  static ChatPrompt of(String model, String cacheKey, JsonArray tools, JsonArray messages) {
    TokenStream stream = new TokenStream(model, cacheKey);
    if (tools != null) {
      for (int i = 0; i < tools.size(); i++) {
        stream.json("tool", CanonicalJson.of(tools.getValue(i)));
      }
    }
    for (int m = 0; m < messages.size(); m++) {
      JsonObject message = messages.getJsonObject(m);
      JsonObject header = message.copy();
      header.remove("content");
      header.remove("tool_calls");
      stream.header(CanonicalJson.of(header));
      Object content = message.getValue("content");
      if (content instanceof String text) {
        stream.text(text);
      } else if (content instanceof JsonArray parts) {
        for (int i = 0; i < parts.size(); i++) {
          JsonObject part = parts.getJsonObject(i);
          if ("text".equals(part.getValue("type")) && part.getValue("text") instanceof String text) {
            stream.text(text);
          } else {
            stream.json("part", CanonicalJson.of(part));
          }
        }
      }
      if (message.getValue("tool_calls") instanceof JsonArray calls) {
        stream.json("tool_calls", CanonicalJson.of(calls));
      }
    }
    return stream.finish();
  }

  /**
   * Lays out a Responses API prompt the same way: each tool definition, then {@code instructions} as a developer
   * message, then the conversation's items. A message item is a message (its header is its role; text parts of any
   * kind, {@code input_text}, {@code output_text}, are text), so a turn re-sent as a plain string, as an easy
   * message or as the output item it came from is the same prompt; another item (a function call, its output) is
   * one piece of canonical JSON, without the {@code id} and {@code status} the server gave it.
   *
   * @param items validated items in {@link ResponsesRequest}'s normal form: objects with a {@code type}, messages
   *              with a {@code role} and a list {@code content}
   */
  static ChatPrompt ofResponses(String model, String cacheKey, JsonArray tools, String instructions,
      List<JsonObject> items) {
    TokenStream stream = new TokenStream(model, cacheKey);
    if (tools != null) {
      for (int i = 0; i < tools.size(); i++) {
        stream.json("tool", CanonicalJson.of(tools.getValue(i)));
      }
    }
    if (instructions != null) {
      stream.header(CanonicalJson.of(new JsonObject().put("role", "developer")));
      stream.text(instructions);
    }
    for (JsonObject item : items) {
      if (!"message".equals(item.getString("type"))) {
        JsonObject identity = item.copy();
        identity.remove("id");
        identity.remove("status");
        stream.json(item.getString("type"), CanonicalJson.of(identity));
        continue;
      }
      stream.header(CanonicalJson.of(new JsonObject().put("role", item.getString("role"))));
      JsonArray parts = item.getJsonArray("content");
      for (int i = 0; i < parts.size(); i++) {
        JsonObject part = parts.getJsonObject(i);
        if (part.getValue("text") instanceof String text) {
          stream.text(text);
        } else {
          stream.json("part", CanonicalJson.of(part));
        }
      }
    }
    return stream.finish();
  }

  long totalTokens() {
    return totalTokens;
  }

  /** How many cache boundaries the prompt reaches (0 below {@value #MINIMUM_CACHEABLE_TOKENS} tokens). */
  int boundaryCount() {
    return boundaries.length;
  }

  /** The token position of boundary {@code i}: {@code 1024 + 128 i}. */
  long boundaryTokens(int i) {
    return boundaries[i];
  }

  /** The hash naming the prefix that ends at boundary {@code i} (model and cache key included). */
  String boundaryHash(int i) {
    return hashes.get(i);
  }

  /** A hash of the whole prompt, used to make answers deterministic. */
  String fingerprint() {
    return fingerprint;
  }

  /** Hashes the stream as it is appended, snapshotting the digest at every boundary it crosses. */
  private static final class TokenStream {

    private final MessageDigest digest;
    private final List<Long> boundaries = new ArrayList<>();
    private final List<String> hashes = new ArrayList<>();
    private long position;
    private long nextBoundary = MINIMUM_CACHEABLE_TOKENS;

    TokenStream(String model, String cacheKey) {
      try {
        digest = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is required by every Java platform", e);
      }
      update("openai\n" + model + "\n" + (cacheKey == null ? "-" : "key:" + cacheKey) + "\n");
    }

    void text(String text) {
      int codePoints = text.codePointCount(0, text.length());
      int tokens = TokenCount.ofText(text);
      // Strings without surrogate pairs (nearly all) index code points directly.
      IntUnaryOperator end = codePoints == text.length()
          ? k -> Math.min(4 * k, text.length())
          : k -> text.offsetByCodePoints(0, Math.min(4 * k, codePoints));
      append("\u0001text\n", text, tokens, end);
    }

    void json(String kind, String json) {
      append("\u0001" + kind + "\n", json, TokenCount.ofCanonicalJson(json), k -> Math.min(4 * k, json.length()));
    }

    void header(String json) {
      append("\u0001message\n", json, TokenCount.PER_MESSAGE, k -> k == 0 ? 0 : json.length());
    }

    /**
     * Appends a piece of {@code tokens} tokens; {@code end.applyAsInt(k)} is the character index where its first
     * {@code k} tokens end. The marker belongs to the piece's first token, so a prefix ending just before the piece
     * does not include it.
     */
    private void append(String marker, String piece, int tokens, IntUnaryOperator end) {
      if (tokens == 0 && piece.isEmpty()) {
        return;
      }
      update(marker);
      int fed = 0;
      while (nextBoundary <= position + tokens) {
        int cut = end.applyAsInt((int) (nextBoundary - position));
        update(piece.substring(fed, cut));
        fed = cut;
        boundaries.add(nextBoundary);
        hashes.add(HexFormat.of().formatHex(snapshot()));
        nextBoundary += CACHE_INCREMENT_TOKENS;
      }
      update(piece.substring(fed));
      position += tokens;
    }

    ChatPrompt finish() {
      long[] positions = boundaries.stream().mapToLong(Long::longValue).toArray();
      return new ChatPrompt(position, positions, List.copyOf(hashes), HexFormat.of().formatHex(snapshot()));
    }

    private void update(String text) {
      digest.update(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The digest of everything fed so far, leaving the running digest able to continue. */
    private byte[] snapshot() {
      try {
        return ((MessageDigest) digest.clone()).digest();
      } catch (CloneNotSupportedException e) {
        throw new IllegalStateException("the platform's SHA-256 cannot be cloned", e);
      }
    }
  }
}
