package dev.affinity.router.cache;

import java.util.Locale;

/**
 * Names of Claude models as the tables of this package know them. Providers spell the same model differently:
 * {@code claude-sonnet-4-5-20250929} (Anthropic), {@code us.anthropic.claude-sonnet-4-5-20250929-v1:0} (Bedrock,
 * with a region or {@code global.} prefix), {@code claude-sonnet-4-5@20250929} (Vertex), and LiteLLM prefixes them
 * with the provider ({@code bedrock/...}); all of them contain the Anthropic id from {@code claude-} on.
 */
final class ClaudeModel {

  private ClaudeModel() {
  }

  /** The id from {@code claude-} on, lower case; the whole id, lower case, when it does not name a Claude model. */
  static String canonicalId(String modelId) {
    String id = modelId.toLowerCase(Locale.ROOT);
    int claude = id.indexOf("claude-");
    return claude >= 0 ? id.substring(claude) : id;
  }
}
