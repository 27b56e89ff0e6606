package dev.affinity.model.config;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The upstream API family a deployment speaks, named by the LiteLLM model prefix ({@code anthropic/claude-...}).
 */
public enum ProviderKind {

  ANTHROPIC("anthropic", "https://api.anthropic.com", "ANTHROPIC_API_KEY");

  private final String prefix;
  private final String defaultApiBase;
  private final String defaultKeyVariable;

  ProviderKind(String prefix, String defaultApiBase, String defaultKeyVariable) {
    this.prefix = prefix;
    this.defaultApiBase = defaultApiBase;
    this.defaultKeyVariable = defaultKeyVariable;
  }

  /** The LiteLLM model prefix, without the slash: {@code anthropic}. */
  public String prefix() {
    return prefix;
  }

  /** The endpoint used when a deployment has no {@code api_base}. */
  public String defaultApiBase() {
    return defaultApiBase;
  }

  /** The environment variable LiteLLM falls back to when a deployment has no {@code api_key}. */
  public String defaultKeyVariable() {
    return defaultKeyVariable;
  }

  /** The provider whose {@link #prefix()} is exactly {@code prefix}, if any. */
  public static Optional<ProviderKind> fromPrefix(String prefix) {
    return Arrays.stream(values()).filter(kind -> kind.prefix.equals(prefix)).findFirst();
  }

  /** The supported prefixes, comma separated, for error messages. */
  static String supportedPrefixes() {
    return Arrays.stream(values()).map(ProviderKind::prefix).collect(Collectors.joining(", "));
  }
}
