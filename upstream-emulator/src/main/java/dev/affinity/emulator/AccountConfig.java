package dev.affinity.emulator;

import java.util.Objects;

/**
 * One emulated Anthropic account: the API key that selects it and its optional request limit.
 *
 * @param rpm requests per minute enforced with a real 429; 0 for no limit
 */
public record AccountConfig(String name, String apiKey, int rpm) {

  public AccountConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(apiKey, "apiKey");
    if (name.isBlank() || apiKey.isBlank()) {
      throw new IllegalArgumentException("account name and API key must not be blank");
    }
    if (rpm < 0) {
      throw new IllegalArgumentException("rpm must be 0 (no limit) or positive");
    }
  }

  public static AccountConfig of(String name, String apiKey) {
    return new AccountConfig(name, apiKey, 0);
  }

  public AccountConfig withRpm(int rpm) {
    return new AccountConfig(name, apiKey, rpm);
  }

  /** Keeps the key out of logs and assertion messages. */
  @Override
  public String toString() {
    return "AccountConfig[name=" + name + ", apiKey=" + CapturedRequest.REDACTED + ", rpm=" + rpm + "]";
  }
}
