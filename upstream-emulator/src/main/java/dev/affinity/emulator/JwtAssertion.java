package dev.affinity.emulator;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * The JWT a service account signs to ask for an access token (RFC 7523 JWT bearer grant, as Google's token endpoint
 * takes it): {@code header.claims.signature}, base64url, RS256 over {@code header.claims}. Read without trusting
 * anything in it ({@link #parse}), then {@linkplain #verify verified} against the key of the account its {@code iss}
 * names.
 *
 * @param issuer the {@code iss} claim: the service account's client email
 */
record JwtAssertion(String issuer, JsonObject header, JsonObject claims, byte[] signedPart, byte[] signature) {

  /** Google rejects assertions that live longer than an hour. */
  static final Duration MAX_LIFETIME = Duration.ofHours(1);
  /** Clock skew tolerated between the client that signed and the token endpoint. */
  static final Duration SKEW = Duration.ofMinutes(5);

  /**
   * Reads the three parts of {@code assertion}.
   *
   * @throws TokenError {@code invalid_grant} when it is not a JWT
   */
  static JwtAssertion parse(String assertion) {
    String[] parts = assertion == null ? new String[0] : assertion.split("\\.", -1);
    if (parts.length != 3) {
      throw TokenError.invalidGrant("Invalid JWT: not a compact JWS (header.claims.signature).");
    }
    try {
      Base64.Decoder base64 = Base64.getUrlDecoder();
      JsonObject header = new JsonObject(new String(base64.decode(parts[0]), StandardCharsets.UTF_8));
      JsonObject claims = new JsonObject(new String(base64.decode(parts[1]), StandardCharsets.UTF_8));
      byte[] signature = base64.decode(parts[2]);
      Object issuer = claims.getValue("iss");
      if (!(issuer instanceof String iss) || iss.isBlank()) {
        throw TokenError.invalidGrant("Invalid JWT: the iss claim is required.");
      }
      return new JwtAssertion(iss, header, claims,
          (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII), signature);
    } catch (IllegalArgumentException | DecodeException | ClassCastException malformed) {
      throw TokenError.invalidGrant("Invalid JWT: it cannot be decoded.");
    }
  }

  /**
   * Checks the signature against {@code key}, then the claims: an access-token request ({@code scope} present) for
   * the token endpoint ({@code aud}), issued at most {@link #SKEW} in the future and not yet expired at {@code now},
   * living no longer than {@link #MAX_LIFETIME}.
   *
   * @throws TokenError {@code invalid_grant} for any failure, with Google's wording where it has one
   */
  void verify(RSAPublicKey key, Instant now) {
    if (!"RS256".equals(header.getValue("alg"))) {
      throw TokenError.invalidGrant("Invalid JWT: the algorithm must be RS256.");
    }
    if (!signatureMatches(key)) {
      throw TokenError.invalidGrant("Invalid JWT Signature.");
    }
    if (!(claims.getValue("aud") instanceof String audience) || audience.isBlank()) {
      throw TokenError.invalidGrant("Invalid JWT: the aud claim is required.");
    }
    if (!(claims.getValue("scope") instanceof String scope) || scope.isBlank()) {
      throw TokenError.invalidGrant("Invalid JWT: the scope claim is required for an access token.");
    }
    if (!(claims.getValue("iat") instanceof Number iat) || !(claims.getValue("exp") instanceof Number exp)) {
      throw TokenError.invalidGrant("Invalid JWT: the iat and exp claims are required.");
    }
    Instant issuedAt = Instant.ofEpochSecond(iat.longValue());
    Instant expiresAt = Instant.ofEpochSecond(exp.longValue());
    if (issuedAt.isAfter(now.plus(SKEW)) || !expiresAt.isAfter(now)
        || Duration.between(issuedAt, expiresAt).compareTo(MAX_LIFETIME) > 0) {
      throw TokenError.invalidGrant("Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable"
          + " timeframe. Check your iat and exp values in the JWT claim.");
    }
  }

  /** The scopes asked for, space-separated as in the claim. */
  String scope() {
    return claims.getString("scope");
  }

  private boolean signatureMatches(RSAPublicKey key) {
    try {
      Signature verifier = Signature.getInstance("SHA256withRSA");
      verifier.initVerify(key);
      verifier.update(signedPart);
      return verifier.verify(signature);
    } catch (GeneralSecurityException invalid) {
      return false;
    }
  }

  /**
   * An OAuth error answer of the token endpoint: {@code {"error":"invalid_grant","error_description":...}}, 400 (or
   * 401 for a client the endpoint does not know).
   */
  static final class TokenError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String error;

    TokenError(int status, String error, String description) {
      super(description, null, false, false);
      this.status = status;
      this.error = error;
    }

    static TokenError invalidGrant(String description) {
      return new TokenError(400, "invalid_grant", description);
    }

    int status() {
      return status;
    }

    JsonObject toJson() {
      return new JsonObject().put("error", error).put("error_description", getMessage());
    }
  }
}
