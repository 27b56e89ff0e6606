package dev.affinity.model.config;

import com.fasterxml.jackson.annotation.JsonValue;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A credential (API key, master key). Only {@link #value()} reveals it: {@code toString()} and JSON serialisation are
 * redacted so that a secret logged or encoded by accident does not leak.
 */
public record Secret(String value) {

  private static final String REDACTED = "Secret[****]";

  /** No credential: the upstream (a self-hosted server) takes requests without one. */
  public static final Secret NONE = new Secret("");

  /** Whether there is a credential to send. */
  public boolean present() {
    return !value.isEmpty();
  }

  public Secret {
    Objects.requireNonNull(value, "value");
  }

  /**
   * A short, non-reversible tag that tells two secrets apart in logs and metrics ({@code sha256:1f2e3d4c}) without
   * revealing either. Eight hex digits of SHA-256 leave far too little to guess a random API key from.
   */
  public String fingerprint() {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(digest, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is a mandatory JDK algorithm", e);
    }
  }

  @JsonValue
  @Override
  public String toString() {
    return REDACTED;
  }
}
