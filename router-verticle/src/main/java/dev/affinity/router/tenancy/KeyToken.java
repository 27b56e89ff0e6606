package dev.affinity.router.tenancy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/** Virtual keys as LiteLLM makes them ({@code sk-} and 22 random characters) and the hash they are kept as. */
public final class KeyToken {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final HexFormat HEX = HexFormat.of();

  private KeyToken() {
  }

  /** A new key: 128 random bits, URL-safe, behind LiteLLM's {@code sk-} prefix. */
  public static String generate() {
    byte[] bits = new byte[16];
    RANDOM.nextBytes(bits);
    return "sk-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
  }

  /** Hex SHA-256, as LiteLLM stores keys ({@code token}). */
  public static String hash(String key) {
    try {
      return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException impossible) {
      throw new IllegalStateException("SHA-256 is a mandatory JDK algorithm", impossible);
    }
  }

  /**
   * LiteLLM's admin calls name a key by the key or by its hash: a value that starts with {@code sk-} is a key and
   * is hashed, anything else is taken as the hash already.
   */
  public static String hashOfReference(String keyOrHash) {
    return keyOrHash.startsWith("sk-") ? hash(keyOrHash) : keyOrHash.toLowerCase(java.util.Locale.ROOT);
  }

  /** LiteLLM's {@code key_name}: the key's last four characters, enough to recognise it in a list. */
  public static String abbreviate(String key) {
    return "sk-..." + key.substring(Math.max(0, key.length() - 4));
  }
}
