package dev.affinity.emulator;

import java.util.Objects;

/**
 * The AWS credentials that select an account on the Bedrock routes: requests signed with SigV4 under
 * {@code accessKeyId} and {@code secretAccessKey} (and carrying {@code sessionToken}, when there is one, in
 * {@code x-amz-security-token}) are that account's.
 *
 * @param sessionToken null for long-term credentials
 */
public record AwsCredentials(String accessKeyId, String secretAccessKey, String sessionToken) {

  public AwsCredentials {
    Objects.requireNonNull(accessKeyId, "accessKeyId");
    Objects.requireNonNull(secretAccessKey, "secretAccessKey");
    if (accessKeyId.isBlank() || secretAccessKey.isBlank()) {
      throw new IllegalArgumentException("access key id and secret access key must not be blank");
    }
    if (sessionToken != null && sessionToken.isBlank()) {
      throw new IllegalArgumentException("session token must not be blank (null for none)");
    }
  }

  public static AwsCredentials of(String accessKeyId, String secretAccessKey) {
    return new AwsCredentials(accessKeyId, secretAccessKey, null);
  }

  /** The access key id is an identifier, not a secret; the secret and the token stay out of logs. */
  @Override
  public String toString() {
    return "AwsCredentials[accessKeyId=" + accessKeyId + ", secretAccessKey=" + CapturedRequest.REDACTED
        + ", sessionToken=" + (sessionToken == null ? "none" : CapturedRequest.REDACTED) + "]";
  }
}
