package dev.affinity.provider.bedrock;

import dev.affinity.model.config.Secret;
import dev.affinity.model.provider.ProviderSettings;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * How a Bedrock deployment reaches AWS: the region, and which credentials sign its requests. Exactly one source of
 * credentials applies: a named profile from the shared AWS files, explicit keys, or else the SDK's default chain
 * (environment, profile {@code default}, container or instance role). Nothing here is resolved at load time:
 * credentials are looked up when the deployment is first called, so a profile missing on this machine is a call-time
 * error, not a configuration one.
 *
 * @param region          {@code aws_region_name}, e.g. {@code us-west-2}: where requests are signed for and sent
 * @param profileName     {@code aws_profile_name}, or {@code null}
 * @param accessKeyId     {@code aws_access_key_id}, or {@code null} (then {@code secretAccessKey} is null too)
 * @param secretAccessKey {@code aws_secret_access_key}, or {@code null}
 * @param sessionToken    {@code aws_session_token}, or {@code null}; only with explicit keys
 */
public record AwsSettings(String region, String profileName, Secret accessKeyId, Secret secretAccessKey,
                          Secret sessionToken) implements ProviderSettings {

  /** The credentials of the SDK's default chain, used when a deployment names neither profile nor keys. */
  public static final String DEFAULT_CHAIN = "default-chain";

  public AwsSettings {
    Objects.requireNonNull(region, "region");
    if ((accessKeyId == null) != (secretAccessKey == null)) {
      throw new IllegalArgumentException("an access key id goes with a secret access key");
    }
    if (profileName != null && accessKeyId != null) {
      throw new IllegalArgumentException("either a profile or explicit keys, not both");
    }
    if (sessionToken != null && accessKeyId == null) {
      throw new IllegalArgumentException("a session token goes with explicit keys");
    }
  }

  @Override
  public String providerName() {
    return BedrockProvider.NAME;
  }

  @Override
  public String litellmPrefix() {
    return BedrockProvider.PREFIX;
  }

  /** The profile and the region: the keys are never part of an id. */
  @Override
  public List<String> idFields() {
    return Arrays.asList(Objects.requireNonNullElse(profileName, ""), region);
  }

  @Override
  public String defaultCacheScope(String deploymentId) {
    return defaultCacheScope();
  }

  /** Whether the deployment carries its own keys rather than naming where to find them. */
  public boolean explicitKeys() {
    return accessKeyId != null;
  }

  /**
   * Where the credentials come from, in words fit for logs and error messages: {@code profile 'account-1'}, {@code
   * the configured access key sha256:1f2e3d4c} or {@code the default credential chain}. Never a key.
   */
  public String credentialsSource() {
    if (profileName != null) {
      return "profile '" + profileName + "'";
    }
    if (accessKeyId != null) {
      return "the configured access key " + accessKeyId.fingerprint();
    }
    return "the default credential chain";
  }

  /**
   * The cache scope of a deployment that sets none. Bedrock's prompt cache belongs to an account in a region: the
   * profile (or key, or default chain) stands for the account, and the region is part of it because the same account
   * in two regions has two caches. The access key is represented by its fingerprint, never by itself.
   */
  public String defaultCacheScope() {
    String account = profileName != null ? profileName
        : accessKeyId != null ? "key-" + accessKeyId.fingerprint()
        : DEFAULT_CHAIN;
    return account + "@" + region;
  }

  /** The default Bedrock runtime endpoint of {@link #region}. */
  public String defaultEndpoint() {
    return "https://bedrock-runtime." + region + ".amazonaws.com";
  }
}
