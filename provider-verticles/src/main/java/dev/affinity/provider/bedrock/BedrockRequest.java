package dev.affinity.provider.bedrock;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.affinity.provider.UpstreamPath;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An Anthropic Messages request as Bedrock's InvokeModel takes it. The body is the client's, with what Bedrock names
 * elsewhere moved out: the model goes into the path, {@code stream} chooses the operation, {@code anthropic-beta}
 * header values become the {@code anthropic_beta} body field, and {@code anthropic_version} is Bedrock's own.
 * Everything else (per-block {@code cache_control} markers included) passes through untouched.
 *
 * @param modelId      the Bedrock model id or inference profile, as it goes (encoded) into the path
 * @param stream       whether the answer is to be streamed ({@code invoke-with-response-stream})
 * @param body         the InvokeModel body
 * @param droppedBetas client {@code anthropic-beta} values Bedrock does not accept (it rejects the whole request with
 *                     "invalid beta flag" otherwise), left out
 */
public record BedrockRequest(String modelId, boolean stream, ObjectNode body, List<String> droppedBetas) {

  /** The only {@code anthropic_version} Bedrock accepts. */
  public static final String ANTHROPIC_VERSION = "bedrock-2023-05-31";

  /**
   * The beta features Bedrock's InvokeModel accepts for Claude. Clients such as Claude Code send betas that only
   * Anthropic's own API knows ({@code claude-code-20250219}, {@code oauth-2025-04-20}...); those are dropped.
   */
  static final Set<String> SUPPORTED_BETAS = Set.of(
      "computer-use-2024-10-22", "computer-use-2025-01-24", "computer-use-2025-11-24",
      "token-efficient-tools-2025-02-19", "interleaved-thinking-2025-05-14", "output-128k-2025-02-19",
      "dev-full-thinking-2025-05-14", "context-1m-2025-08-07", "context-management-2025-06-27",
      "effort-2025-11-24", "tool-search-tool-2025-10-19", "tool-examples-2025-10-29");

  private static final ObjectMapper JSON = new ObjectMapper();

  public BedrockRequest {
    Objects.requireNonNull(modelId, "modelId");
    Objects.requireNonNull(body, "body");
    droppedBetas = List.copyOf(droppedBetas);
  }

  /**
   * The InvokeModel request for {@code anthropicBody} (which is not changed) and the client's forwarded
   * {@code headers} (lower-case names).
   *
   * @throws IllegalArgumentException when the body is not a JSON object naming a model
   */
  public static BedrockRequest of(JsonNode anthropicBody, Map<String, String> headers) {
    if (anthropicBody == null || !anthropicBody.isObject()) {
      throw new IllegalArgumentException("request body must be a JSON object");
    }
    JsonNode model = anthropicBody.get("model");
    if (model == null || !model.isTextual() || model.textValue().isBlank()) {
      throw new IllegalArgumentException("model: required");
    }
    ObjectNode body = ((ObjectNode) anthropicBody).deepCopy();
    boolean stream = body.path("stream").asBoolean(false);
    body.remove("model");
    body.remove("stream");
    // Bedrock rejects a request-level marker; the block-level ones are what it caches by.
    body.remove("cache_control");

    Set<String> betas = new LinkedHashSet<>();
    JsonNode inBody = body.get("anthropic_beta");
    if (inBody != null && inBody.isArray()) {
      inBody.forEach(value -> betas.add(value.asText()));
    }
    String header = headers.get("anthropic-beta");
    if (header != null) {
      for (String value : header.split(",")) {
        if (!value.isBlank()) {
          betas.add(value.trim());
        }
      }
    }
    List<String> dropped = new ArrayList<>();
    ArrayNode accepted = JSON.createArrayNode();
    betas.forEach(beta -> {
      if (SUPPORTED_BETAS.contains(beta)) {
        accepted.add(beta);
      } else {
        dropped.add(beta);
      }
    });
    body.remove("anthropic_beta");
    // anthropic_version first: it reads like the requests in AWS's documentation, and costs nothing
    ObjectNode invoke = JSON.createObjectNode().put("anthropic_version", ANTHROPIC_VERSION);
    body.remove("anthropic_version");
    if (!accepted.isEmpty()) {
      invoke.set("anthropic_beta", accepted);
    }
    invoke.setAll(body);
    return new BedrockRequest(model.textValue(), stream, invoke, dropped);
  }

  /** {@code /model/{id}/invoke}, or {@code /invoke-with-response-stream} when streaming; the id percent-encoded. */
  public String path() {
    return path(modelId, stream);
  }

  /** The InvokeModel path of {@code modelId}, streaming or not. */
  public static String path(String modelId, boolean stream) {
    return "/model/" + encode(modelId) + (stream ? "/invoke-with-response-stream" : "/invoke");
  }

  /** {@code /model/{id}/count-tokens}: Bedrock's CountTokens for the same model. */
  public String countTokensPath() {
    return countTokensPath(modelId);
  }

  /** The CountTokens path of {@code modelId}. */
  public static String countTokensPath(String modelId) {
    return "/model/" + encode(modelId) + "/count-tokens";
  }

  /** The InvokeModel body, as sent. */
  public byte[] bytes() {
    return write(body);
  }

  /**
   * The CountTokens body: the InvokeModel body, base64-encoded inside {@code input.invokeModel.body}. A count_tokens
   * request has no {@code max_tokens}, which an InvokeModel body must have; any value does for counting.
   */
  public byte[] countTokensBytes() {
    ObjectNode invoke = body.deepCopy();
    if (!invoke.has("max_tokens")) {
      invoke.put("max_tokens", 1);
    }
    ObjectNode count = JSON.createObjectNode();
    count.putObject("input").putObject("invokeModel").put("body", Base64.getEncoder().encodeToString(write(invoke)));
    return write(count);
  }

  /** RFC 3986 percent-encoding of everything but unreserved characters: {@code :} and {@code /} (ARNs) included. */
  static String encode(String segment) {
    return UpstreamPath.segment(segment, "");
  }

  private static byte[] write(JsonNode json) {
    try {
      return JSON.writeValueAsBytes(json);
    } catch (JsonProcessingException impossible) {
      throw new IllegalStateException("a JSON tree always serialises", impossible);
    }
  }
}
