package dev.affinity.router.cache;

import java.util.Base64;

/**
 * How a prefix hash is written as a pin-map key: a format version, then the 16 bytes in unpadded base64url
 * (23 characters in all).
 *
 * <p>Version {@value #VERSION}: the chains hash with XXH3-128 ({@link ChainHash.Kind#XXH3_128}). Keys without this
 * prefix (version 1 was SHA-256, unprefixed) are never looked up again, so the pins of an earlier version simply expire
 * after an upgrade: each prefix is written to a provider cache once more, then pinned again. Bump the version with any
 * change to the hash, the chain's layout or the canonical form.
 */
public final class PrefixKey {

  public static final String VERSION = "2";

  private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();

  private PrefixKey() {
  }

  /** The key of the 16-byte hash at {@code offset} of {@code hashes}. */
  public static String of(byte[] hashes, int offset) {
    byte[] hash = new byte[ChainHash.BYTES];
    System.arraycopy(hashes, offset, hash, 0, ChainHash.BYTES);
    return VERSION + BASE64.encodeToString(hash);
  }
}
