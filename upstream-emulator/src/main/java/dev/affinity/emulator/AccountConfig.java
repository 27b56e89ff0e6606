package dev.affinity.emulator;

import java.util.Objects;

/**
 * One emulated account: the API key that selects it on the Anthropic and OpenAI routes, the AWS credentials that
 * select it on the Bedrock routes, and its optional request limit. An account has an API key, AWS credentials, or
 * both (one organisation reachable both ways).
 *
 * @param apiKey null for an account reachable on Bedrock only
 * @param rpm requests per minute enforced with a real 429; 0 for no limit
 * @param aws null for an account not reachable on Bedrock
 */
public record AccountConfig(String name, String apiKey, int rpm, AwsCredentials aws) {

  public AccountConfig {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("account name must not be blank");
    }
    if (apiKey == null && aws == null) {
      throw new IllegalArgumentException("account " + name + " needs an API key or AWS credentials");
    }
    if (apiKey != null && apiKey.isBlank()) {
      throw new IllegalArgumentException("API key must not be blank");
    }
    if (rpm < 0) {
      throw new IllegalArgumentException("rpm must be 0 (no limit) or positive");
    }
  }

  /** An account selected by an API key. */
  public AccountConfig(String name, String apiKey, int rpm) {
    this(name, Objects.requireNonNull(apiKey, "apiKey"), rpm, null);
  }

  public static AccountConfig of(String name, String apiKey) {
    return new AccountConfig(name, apiKey, 0);
  }

  /** An account reachable on Bedrock only, by requests signed with {@code credentials}. */
  public static AccountConfig aws(String name, AwsCredentials credentials) {
    return new AccountConfig(name, null, 0, Objects.requireNonNull(credentials, "credentials"));
  }

  public AccountConfig withRpm(int rpm) {
    return new AccountConfig(name, apiKey, rpm, aws);
  }

  /** The same account, also reachable on Bedrock by requests signed with {@code credentials}. */
  public AccountConfig withAws(AwsCredentials credentials) {
    return new AccountConfig(name, apiKey, rpm, Objects.requireNonNull(credentials, "credentials"));
  }

  /** Keeps the key and the AWS secret out of logs and assertion messages. */
  @Override
  public String toString() {
    return "AccountConfig[name=" + name + ", apiKey=" + (apiKey == null ? "none" : CapturedRequest.REDACTED)
        + ", rpm=" + rpm + ", aws=" + aws + "]";
  }
}
