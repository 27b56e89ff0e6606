package dev.affinity.emulator;

import java.util.Objects;

/**
 * One emulated account: the API key that selects it on the Anthropic and OpenAI routes, the AWS credentials that
 * select it on the Bedrock routes, the Google project and service account that select it on the Vertex AI routes,
 * and its optional request limit. An account has at least one of them (one organisation reachable several ways).
 *
 * @param apiKey null for an account reachable on Bedrock or Vertex AI only
 * @param rpm requests per minute enforced with a real 429; 0 for no limit
 * @param aws null for an account not reachable on Bedrock
 * @param vertex null for an account not reachable on Vertex AI
 */
public record AccountConfig(String name, String apiKey, int rpm, AwsCredentials aws, VertexCredentials vertex) {

  public AccountConfig {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("account name must not be blank");
    }
    if (apiKey == null && aws == null && vertex == null) {
      throw new IllegalArgumentException("account " + name
          + " needs an API key, AWS credentials or a Vertex AI service account");
    }
    if (apiKey != null && apiKey.isBlank()) {
      throw new IllegalArgumentException("API key must not be blank");
    }
    if (rpm < 0) {
      throw new IllegalArgumentException("rpm must be 0 (no limit) or positive");
    }
  }

  /** An account not reachable on Vertex AI. */
  public AccountConfig(String name, String apiKey, int rpm, AwsCredentials aws) {
    this(name, apiKey, rpm, aws, null);
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

  /** An account reachable on Vertex AI only, by the access tokens its service account obtains. */
  public static AccountConfig vertex(String name, VertexCredentials credentials) {
    return new AccountConfig(name, null, 0, null, Objects.requireNonNull(credentials, "credentials"));
  }

  public AccountConfig withRpm(int rpm) {
    return new AccountConfig(name, apiKey, rpm, aws, vertex);
  }

  /** The same account, also reachable on Bedrock by requests signed with {@code credentials}. */
  public AccountConfig withAws(AwsCredentials credentials) {
    return new AccountConfig(name, apiKey, rpm, Objects.requireNonNull(credentials, "credentials"), vertex);
  }

  /** The same account, also reachable on Vertex AI by the access tokens of {@code credentials}' service account. */
  public AccountConfig withVertex(VertexCredentials credentials) {
    return new AccountConfig(name, apiKey, rpm, aws, Objects.requireNonNull(credentials, "credentials"));
  }

  /** Keeps the key and the AWS secret out of logs and assertion messages. */
  @Override
  public String toString() {
    return "AccountConfig[name=" + name + ", apiKey=" + (apiKey == null ? "none" : CapturedRequest.REDACTED)
        + ", rpm=" + rpm + ", aws=" + aws + ", vertex=" + vertex + "]";
  }
}
