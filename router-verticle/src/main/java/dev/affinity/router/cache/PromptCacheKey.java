package dev.affinity.router.cache;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * OpenAI's {@code prompt_cache_key}: a client-chosen name for requests that share a prefix (a conversation, a user, an
 * agent). OpenAI combines it with the prefix hash to keep such requests on one cache machine; the gateway makes it an
 * affinity key of its own, so that requests with the same key, tenant and alias land on one deployment even while
 * their prompts are under the provider's minimum and no prefix can be pinned yet.
 *
 * <p>The pin key is {@code SHA-256("affinity/prompt-cache-key/v1" ‖ 0 ‖ length(scope) ‖ scope ‖ key)} truncated to 128 bits, in
 * the 22-character base64url form of prefix keys; the distinct scheme keeps it from ever naming a prefix. It does not
 * seed the prefix hashes: requests with different keys and the same prefix still share the prefix's pins, since the
 * provider's cache for one account is shared by all its requests. {@link AutomaticPrefixChain} gives it the lowest
 * priority: any pinned prefix of the prompt wins over it.
 */
public final class PromptCacheKey {

  /** The request field. */
  public static final String FIELD = "prompt_cache_key";

  private static final String SCHEME = "affinity/prompt-cache-key/v1";
  private static final int KEY_BYTES = 16;

  private PromptCacheKey() {
  }

  /** The pin-map key of a client's {@code prompt_cache_key} in a cache scope (tenant namespace and alias). */
  public static String pinKey(String scopeSeed, String promptCacheKey) {
    return scopedKey(SCHEME, scopeSeed, promptCacheKey);
  }

  /**
   * {@code SHA-256(scheme ‖ 0 ‖ length(scope) ‖ scope ‖ name)} in the form of prefix keys ({@link PrefixKey}): a pin
   * key for a name the client chose, in a scheme of its own so that it never names a prefix or another scheme's name.
   */
  static String scopedKey(String scheme, String scopeSeed, String name) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
    byte[] scope = scopeSeed.getBytes(StandardCharsets.UTF_8);
    digest.update(scheme.getBytes(StandardCharsets.UTF_8));
    digest.update((byte) 0);
    // Length-prefixed, so that no split of scope and name into two strings can name another pair.
    digest.update(ByteBuffer.allocate(Integer.BYTES).putInt(scope.length).array());
    digest.update(scope);
    digest.update(name.getBytes(StandardCharsets.UTF_8));
    return PrefixKey.of(digest.digest(), 0);
  }

  /** The client's {@code prompt_cache_key}, when it is a non-empty string. */
  public static Optional<String> of(JsonNode request) {
    JsonNode key = request == null ? null : request.get(FIELD);
    return key != null && key.isTextual() && !key.textValue().isEmpty() ? Optional.of(key.textValue())
        : Optional.empty();
  }
}
