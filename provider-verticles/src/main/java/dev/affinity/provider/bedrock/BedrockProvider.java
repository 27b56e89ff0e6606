package dev.affinity.provider.bedrock;

import dev.affinity.model.provider.UpstreamCalls;
import dev.affinity.model.config.Deployment;
import dev.affinity.model.config.ModelInfo;
import dev.affinity.model.config.ModelPattern;
import dev.affinity.model.config.ProviderKind;
import dev.affinity.model.config.Secret;
import dev.affinity.model.config.Section;
import dev.affinity.model.provider.CacheBehaviour;
import dev.affinity.model.provider.Provider;
import dev.affinity.model.provider.ProviderEndpoint;
import dev.affinity.model.provider.UpstreamModel;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Anthropic models on AWS Bedrock ({@code bedrock/us.anthropic.claude-...}), called through InvokeModel with the
 * Messages body and signed with AWS credentials ({@link AwsSettings}) rather than a key.
 */
public final class BedrockProvider implements Provider {

  static final String NAME = "bedrock";
  static final String PREFIX = "bedrock";
  /** The keys that make a deployment without provider prefix a Bedrock one, as in LiteLLM. */
  private static final List<String> AWS_KEYS = List.of("aws_profile_name", "aws_region_name", "aws_access_key_id",
      "aws_secret_access_key", "aws_session_token", "aws_bedrock_runtime_endpoint");
  /** Where the AWS SDKs look for a region when none is configured. */
  private static final List<String> REGION_VARIABLES = List.of("AWS_REGION", "AWS_DEFAULT_REGION");
  private static final Pattern AWS_REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-[0-9]{1,2}");

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public ProviderKind api() {
    return ProviderKind.BEDROCK;
  }

  @Override
  public List<String> prefixes() {
    return List.of(PREFIX);
  }

  @Override
  public Map<String, String> unservedPrefixes() {
    return Map.of("bedrock_converse", "provider 'bedrock_converse/' is not supported by Affinity (use bedrock/)");
  }

  /** LiteLLM's {@code model_info.litellm_provider} says {@code bedrock} (or {@code bedrock_converse}), or AWS keys. */
  @Override
  public boolean claimsUnprefixed(Section params, ModelInfo info) {
    return info.litellmProvider() != null && info.litellmProvider().startsWith(PREFIX)
        || AWS_KEYS.stream().anyMatch(params::has);
  }

  @Override
  public Map<String, String> ownKeys() {
    Map<String, String> keys = new LinkedHashMap<>();
    AWS_KEYS.forEach(key -> keys.put(key, "Bedrock"));
    return keys;
  }

  /**
   * A Bedrock model id, after LiteLLM's route prefixes: {@code invoke/} is what Affinity does anyway, and
   * {@code converse/} is served the same way (the client speaks the Messages API either way, and InvokeModel takes
   * that body as it is), with a warning.
   */
  @Override
  public Optional<UpstreamModel> model(Section params, String prefix, String model) {
    String id = model;
    if (id.startsWith("invoke/")) {
      id = id.substring("invoke/".length());
    } else if (id.startsWith("converse/")) {
      id = id.substring("converse/".length());
      params.warning("model",
          "Affinity calls Bedrock's InvokeModel API with the Messages body: converse/ is served as invoke/");
    }
    if (id.isBlank()) {
      params.problem("model", "Bedrock model id missing");
      return Optional.empty();
    }
    // Only Claude speaks the Messages body; an ARN (application inference profile) does not say, so it is trusted.
    if (!id.contains("anthropic.") && !id.startsWith("arn:") && !ModelPattern.isWildcard(id)) {
      return Optional.of(UpstreamModel.unservable("only Anthropic models are served on Bedrock,"
          + " e.g. bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0"));
    }
    return Optional.of(UpstreamModel.of(id));
  }

  @Override
  public Optional<ProviderEndpoint> endpoint(Section params, String prefix, String model) {
    int before = params.problemCount();
    Optional<String> endpoint = endpoint(params);
    Optional<AwsSettings> aws = aws(params);
    if (params.problemCount() > before) {
      return Optional.empty();
    }
    return Optional.of(new ProviderEndpoint(endpoint.orElseGet(() -> aws.orElseThrow().defaultEndpoint()),
        Secret.NONE, aws.orElseThrow()));
  }

  /** {@code aws_bedrock_runtime_endpoint}, or {@code api_base} as LiteLLM also accepts; empty for the default one. */
  private static Optional<String> endpoint(Section params) {
    boolean endpoint = params.has("aws_bedrock_runtime_endpoint");
    if (endpoint && params.has("api_base")) {
      params.problem("api_base", "give either api_base or aws_bedrock_runtime_endpoint, not both");
      return Optional.empty();
    }
    String key = endpoint ? "aws_bedrock_runtime_endpoint" : "api_base";
    return params.url(key, "https://bedrock-runtime.us-west-2.amazonaws.com");
  }

  /**
   * Region and credential source of a Bedrock deployment. Credentials themselves are not looked up here: a profile
   * may exist only on the machines that serve, and it may change while the gateway runs.
   */
  private static Optional<AwsSettings> aws(Section params) {
    int before = params.problemCount();
    Optional<String> region = region(params);
    Optional<String> profile = params.string("aws_profile_name");
    Optional<Secret> keyId = params.secret("aws_access_key_id");
    Optional<Secret> secretKey = params.secret("aws_secret_access_key");
    Optional<Secret> token = params.secret("aws_session_token");
    boolean hasKeyId = params.has("aws_access_key_id");
    boolean hasSecretKey = params.has("aws_secret_access_key");
    if (hasKeyId && !hasSecretKey) {
      params.problem("aws_secret_access_key", "required with aws_access_key_id");
    } else if (hasSecretKey && !hasKeyId) {
      params.problem("aws_access_key_id", "required with aws_secret_access_key");
    }
    if (params.has("aws_session_token") && !hasKeyId && !hasSecretKey) {
      params.problem("aws_session_token", "only used with aws_access_key_id and aws_secret_access_key");
    }
    if (params.has("aws_profile_name") && (hasKeyId || hasSecretKey)) {
      params.problem("aws_profile_name",
          "give either a profile or keys (aws_access_key_id, aws_secret_access_key), not both");
    }
    if (params.has("api_key")) {
      params.problem("api_key", "not used by Bedrock deployments: give aws_profile_name, or aws_access_key_id and"
          + " aws_secret_access_key, or neither for the default AWS credential chain");
    }
    if (params.problemCount() > before) {
      return Optional.empty();
    }
    return Optional.of(new AwsSettings(region.orElseThrow(), profile.orElse(null), keyId.orElse(null),
        secretKey.orElse(null), token.orElse(null)));
  }

  /** {@code aws_region_name}, or the region the AWS SDKs would take from the environment. */
  private static Optional<String> region(Section params) {
    if (params.has("aws_region_name")) {
      return params.string("aws_region_name").filter(region -> {
        if (!AWS_REGION.matcher(region).matches()) {
          params.problem("aws_region_name", "must be an AWS region name, e.g. us-west-2");
          return false;
        }
        return true;
      });
    }
    for (String variable : REGION_VARIABLES) {
      Optional<String> region = params.variable(variable);
      if (region.isPresent()) {
        if (AWS_REGION.matcher(region.get()).matches()) {
          return region;
        }
        params.problem("aws_region_name", "environment variable " + variable
            + " is not an AWS region name (e.g. us-west-2)");
        return Optional.empty();
      }
    }
    params.problem("aws_region_name", "required (or set environment variable "
        + String.join(" or ", REGION_VARIABLES) + ")");
    return Optional.empty();
  }

  @Override
  public CacheBehaviour cache(Deployment deployment, String upstreamModel) {
    return CacheBehaviour.CLAUDE_MARKERS;
  }

  @Override
  public UpstreamCalls verticle() {
    return new BedrockVerticle();
  }

  /** The node's Bedrock verticles share one resolution of each deployment's credentials ({@link DeploymentCredentials}). */
  @Override
  public Supplier<UpstreamCalls> verticles() {
    AtomicReference<DeploymentCredentials> node = new AtomicReference<>();
    return () -> new BedrockVerticle(AwsCredentialSource.fromEnvironment(), Clock.systemUTC(), node);
  }
}
