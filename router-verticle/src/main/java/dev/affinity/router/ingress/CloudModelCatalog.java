package dev.affinity.router.ingress;

import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.GatewayConfig;
import dev.affinity.model.config.ModelPattern;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The Claude models the configured aliases serve, as the cloud providers' APIs name them: which alias a Bedrock or
 * Vertex model id names ({@link #alias}), and the inference profiles a Bedrock client lists ({@link #profiles}).
 * Built once from the configuration.
 *
 * <p>A model id ({@code us.anthropic.claude-sonnet-4-5-20250929-v1:0}, {@code claude-sonnet-4-5@20250929}) names, in
 * this order: the alias it is, exactly; the alias named after the Anthropic model it stands for
 * ({@code claude-sonnet-4-5-20250929}); the first alias in the file whose deployments send that very model upstream
 * (an alias {@code claude-sonnet-4-5} of {@code anthropic/claude-sonnet-4-5-20250929}); the Anthropic name against
 * wildcard aliases (a {@code claude-*} alias sends it upstream as a name every Claude upstream of that alias knows);
 * the id as sent against them (a pattern such as {@code us.anthropic.*}); last, the Anthropic name without its date
 * ({@code claude-sonnet-4-5}) as an alias or as a model an alias sends upstream: the same model by Anthropic's own
 * undated alias, which clients that pin snapshots (Claude Code does) would otherwise find missing. So one alias named
 * after the Anthropic model serves the clients of every API, and an alias named after a cloud id is still preferred
 * when configured.
 */
public final class CloudModelCatalog {

  /** Bedrock's cross-region inference profile prefixes: {@code us.}, {@code eu.}, {@code apac.}, {@code global.}... */
  private static final Pattern REGION_PREFIX = Pattern.compile("^(us|eu|apac|global|jp|au|ca|us-gov)\\.");
  /** Bedrock's model version suffix: {@code -v1:0}, {@code -v2:0}, or {@code -v1} alone. */
  private static final Pattern BEDROCK_VERSION = Pattern.compile("-v\\d+(:\\d+)?$");
  /** The snapshot date that ends an Anthropic model name: {@code -20250929}. */
  private static final Pattern SNAPSHOT_DATE = Pattern.compile("-\\d{8}$");
  /** What Bedrock allows in an inference profile id. */
  private static final Pattern PROFILE_ID = Pattern.compile("[a-zA-Z0-9-:.]{1,64}");
  /**
   * The geography of the profiles listed: the gateway does not know the client's region (a bearer token carries
   * none) and accepts every prefix, and a client that finds no profile of its own geography takes any that names
   * the model (Claude Code does).
   */
  private static final String LISTED_PREFIX = "global.anthropic.";

  private final GatewayConfig config;
  private final Set<String> aliases;
  /** An Anthropic model name, and the first alias in the file one of whose deployments sends it upstream. */
  private final Map<String, String> servedBy = new LinkedHashMap<>();
  /** A listed inference profile's id, and the alias it names, in file order. */
  private final Map<String, String> profiles = new LinkedHashMap<>();

  public CloudModelCatalog(GatewayConfig config) {
    this.config = config;
    this.aliases = config.aliases();
    for (Deployment deployment : config.deployments()) {
      if (deployment.wildcard() || ModelPattern.isWildcard(deployment.model())) {
        continue;
      }
      String served = anthropicName(deployment.model());
      if (claude(served)) {
        servedBy.putIfAbsent(served, deployment.alias());
      }
      String alias = deployment.alias();
      String aliasStandsFor = anthropicName(alias);
      boolean cloudId = !aliasStandsFor.equals(alias) && claude(aliasStandsFor);
      String profile = cloudId ? alias : claude(served) ? LISTED_PREFIX + served + "-v1:0" : null;
      if (profile != null && PROFILE_ID.matcher(profile).matches()) {
        profiles.putIfAbsent(profile, alias);
      }
    }
  }

  /** The alias {@code modelId} resolves to, or the id itself when nothing serves it (the router's 404 names it). */
  public String alias(String modelId) {
    if (aliases.contains(modelId)) {
      return modelId;
    }
    String anthropic = anthropicName(modelId);
    String named = named(anthropic);
    if (named != null) {
      return named;
    }
    if (!config.deploymentsFor(anthropic).isEmpty()) {
      return anthropic;
    }
    if (!config.deploymentsFor(modelId).isEmpty()) {
      return modelId;
    }
    String undated = SNAPSHOT_DATE.matcher(anthropic).replaceFirst("");
    if (!undated.equals(anthropic)) {
      named = named(undated);
      if (named != null) {
        return named;
      }
    }
    return modelId;
  }

  /** The alias named {@code anthropic}, or else the first whose deployments send it upstream; null when none. */
  private String named(String anthropic) {
    return aliases.contains(anthropic) ? anthropic : servedBy.get(anthropic);
  }

  /**
   * The inference profiles a Bedrock client is shown, each with the alias it names, in file order: an alias named
   * after a Bedrock id as that id, and every Claude model the deployments send upstream as its global profile
   * ({@code global.anthropic.claude-sonnet-4-5-20250929-v1:0}). Wildcard aliases list nothing: what they serve has
   * no end.
   */
  public Map<String, String> profiles() {
    return Collections.unmodifiableMap(profiles);
  }

  /**
   * The Anthropic model name a Bedrock or Vertex id stands for: an ARN's last part, without Bedrock's region prefix,
   * {@code anthropic.} and version suffix, with Vertex's {@code @} before the date as Anthropic's {@code -}.
   */
  static String anthropicName(String modelId) {
    String name = REGION_PREFIX.matcher(lastPart(modelId)).replaceFirst("");
    if (name.startsWith("anthropic.")) {
      name = BEDROCK_VERSION.matcher(name.substring("anthropic.".length())).replaceFirst("");
    }
    return name.replace('@', '-');
  }

  /**
   * The Bedrock foundation model a profile or model id stands for: the id without its region prefix
   * ({@code anthropic.claude-sonnet-4-5-20250929-v1:0}), or the Anthropic name it stands for in Bedrock's form.
   */
  static String foundationModel(String modelId) {
    String model = REGION_PREFIX.matcher(lastPart(modelId)).replaceFirst("");
    return model.startsWith("anthropic.") ? model : "anthropic." + anthropicName(modelId) + "-v1:0";
  }

  /** An ARN's last part ({@code arn:aws:bedrock:...:inference-profile/us.anthropic...}), or the id as it is. */
  static String lastPart(String modelId) {
    return modelId.substring(modelId.lastIndexOf('/') + 1);
  }

  private static boolean claude(String anthropicName) {
    return anthropicName.startsWith("claude-");
  }
}
