package dev.affinity.emulator;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The OAuth access tokens issued to one account's service account, each good for {@link #LIFETIME} on the emulator
 * clock (so that a test can let one expire with {@link UpstreamEmulator#advanceClock}). Tokens are random and opaque,
 * as Google's are. Thread-safe: the token endpoint and the Vertex routes run on any of the emulator's event loops.
 */
final class VertexTokens {

  /** Google's access tokens for service accounts last an hour. */
  static final Duration LIFETIME = Duration.ofHours(1);

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Map<String, Instant> expiries = new ConcurrentHashMap<>();

  /** A new token, valid from {@code now} for {@link #LIFETIME}. */
  String issue(Instant now) {
    byte[] random = new byte[32];
    RANDOM.nextBytes(random);
    String token = "ya29.emu-" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    expiries.put(token, now.plus(LIFETIME));
    return token;
  }

  /** Whether {@code token} was issued here and has not expired at {@code now}. */
  boolean valid(String token, Instant now) {
    Instant expiry = token == null ? null : expiries.get(token);
    return expiry != null && now.isBefore(expiry);
  }

  void purgeExpired(Instant now) {
    expiries.values().removeIf(expiry -> !now.isBefore(expiry));
  }
}
