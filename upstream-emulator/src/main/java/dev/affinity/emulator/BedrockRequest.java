package dev.affinity.emulator;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An {@code InvokeModel} body for an Anthropic model on Bedrock: the Messages API body without {@code model} (it is
 * in the path) or {@code stream} (it is the operation), with {@code anthropic_version} required and
 * {@code anthropic_beta} in the body instead of a header.
 *
 * <p>Bedrock checks the body against the model's JSON schema before the model sees it, and answers violations as
 * {@code Malformed input request: #: extraneous key [model] is not permitted, please reformat your input and try
 * again.}: unlike Anthropic's API, it accepts no key it does not know. What passes is then validated like an
 * Anthropic request (breakpoint limits and TTL order included).
 *
 * @param modelId the model id as addressed, e.g. {@code us.anthropic.claude-sonnet-4-5-20250929-v1:0}; the cache,
 *     the counters and the ledger are keyed by it
 * @param anthropicModel the Anthropic model it runs, e.g. {@code claude-sonnet-4-5-20250929}: named in answers and
 *     matched against the minimum cacheable prefixes
 */
record BedrockRequest(String modelId, String anthropicModel, MessagesRequest messages) {

  static final String ANTHROPIC_VERSION = "bedrock-2023-05-31";

  private static final List<String> REQUIRED = List.of("anthropic_version", "max_tokens", "messages");
  /** What Bedrock's schema for Claude admits at the top level. */
  private static final Set<String> PERMITTED = Set.of("anthropic_version", "anthropic_beta", "max_tokens",
      "messages", "system", "temperature", "top_p", "top_k", "stop_sequences", "tools", "tool_choice", "thinking",
      "metadata", "output_config", "context_management");
  /** {@code us.}, {@code eu.}, {@code global.}... inference-profile prefixes, then the provider. */
  private static final Pattern PROFILE_AND_PROVIDER = Pattern.compile("^(?:[a-z-]+\\.)?anthropic\\.");
  private static final Pattern VERSION_SUFFIX = Pattern.compile("-v\\d+(?::\\d+)?$");

  /**
   * @throws BedrockError {@code ValidationException} for a schema violation
   * @throws ApiError (400) for what the model itself rejects, answered by the Bedrock routes as a
   *     {@code ValidationException} with the same message
   */
  static BedrockRequest parse(String modelId, Buffer body) {
    JsonObject json = jsonObject(body);
    StringBuilder violations = new StringBuilder();
    for (String key : REQUIRED) {
      if (!json.containsKey(key)) {
        violations.append("#: required key [").append(key).append("] not found");
      }
    }
    for (String key : json.fieldNames()) {
      if (!PERMITTED.contains(key)) {
        violations.append("#: extraneous key [").append(key).append("] is not permitted");
      }
    }
    Object version = json.getValue("anthropic_version");
    if (version != null && !ANTHROPIC_VERSION.equals(version)) {
      violations.append("#/anthropic_version: ").append(version).append(" is not a valid enum value");
    }
    Object betas = json.getValue("anthropic_beta");
    if (betas != null && !(betas instanceof JsonArray list && list.stream().allMatch(String.class::isInstance))) {
      violations.append("#/anthropic_beta: expected type: JSONArray of strings");
    }
    if (!violations.isEmpty()) {
      throw BedrockError.malformed(violations.toString());
    }
    // The body is this request's own parse of the raw bytes (captured untouched): naming the model in it lets the
    // Anthropic validation and cache layout run unchanged, seeded with the Bedrock model id.
    MessagesRequest messages = MessagesRequest.parse(json.put("model", modelId));
    return new BedrockRequest(modelId, anthropicModel(modelId), messages);
  }

  /**
   * The Anthropic model behind a Bedrock model id, inference profile or ARN:
   * {@code arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0}
   * and {@code anthropic.claude-sonnet-4-5-20250929-v1:0} both run {@code claude-sonnet-4-5-20250929}.
   */
  static String anthropicModel(String modelId) {
    String name = modelId.substring(modelId.lastIndexOf('/') + 1);
    name = PROFILE_AND_PROVIDER.matcher(name).replaceFirst("");
    return VERSION_SUFFIX.matcher(name).replaceFirst("");
  }

  private static JsonObject jsonObject(Buffer body) {
    if (body.length() > 0) {
      try {
        if (body.toJsonValue() instanceof JsonObject json) {
          return json;
        }
      } catch (DecodeException e) {
        // answered below
      }
    }
    throw BedrockError.malformed("#: expected type: JSONObject");
  }
}
