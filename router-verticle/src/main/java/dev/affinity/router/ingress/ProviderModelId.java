package dev.affinity.router.ingress;

import dev.affinity.model.config.GatewayConfig;

import java.util.regex.Pattern;

/**
 * How a model id of a cloud provider's API (Bedrock's {@code us.anthropic.claude-sonnet-4-5-20250929-v1:0}, Vertex's
 * {@code claude-sonnet-4-5@20250929}) names a configured alias: the id as sent, exactly; then the Anthropic model
 * name it stands for ({@code claude-sonnet-4-5-20250929}), exactly; then the Anthropic name against wildcard aliases
 * (a {@code claude-*} alias sends it upstream as a name every Claude upstream of that alias knows); then the id as
 * sent against them (a pattern such as {@code us.anthropic.*}). So one alias named after the Anthropic model serves
 * the clients of every API, and an alias named after a cloud id is still preferred when configured.
 */
public final class ProviderModelId {

  /** Bedrock's cross-region inference profile prefixes: {@code us.}, {@code eu.}, {@code apac.}, {@code global.}... */
  private static final Pattern REGION_PREFIX = Pattern.compile("^(us|eu|apac|global|jp|au|ca|us-gov)\\.");
  /** Bedrock's model version suffix: {@code -v1:0}, {@code -v2:0}, or {@code -v1} alone. */
  private static final Pattern BEDROCK_VERSION = Pattern.compile("-v\\d+(:\\d+)?$");

  private ProviderModelId() {
  }

  /** The alias {@code modelId} resolves to, or the id itself when nothing serves it (the router's 404 names it). */
  public static String alias(GatewayConfig config, String modelId) {
    String anthropic = anthropicName(modelId);
    if (config.aliases().contains(modelId)) {
      return modelId;
    }
    if (config.aliases().contains(anthropic)) {
      return anthropic;
    }
    if (!config.deploymentsFor(anthropic).isEmpty()) {
      return anthropic;
    }
    return modelId;
  }

  /**
   * The Anthropic model name a Bedrock or Vertex id stands for: an ARN's last part, without Bedrock's region prefix,
   * {@code anthropic.} and version suffix, with Vertex's {@code @} before the date as Anthropic's {@code -}.
   */
  static String anthropicName(String modelId) {
    String name = modelId.substring(modelId.lastIndexOf('/') + 1);
    name = REGION_PREFIX.matcher(name).replaceFirst("");
    if (name.startsWith("anthropic.")) {
      name = BEDROCK_VERSION.matcher(name.substring("anthropic.".length())).replaceFirst("");
    }
    return name.replace('@', '-');
  }
}
