package dev.affinity.router.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.affinity.model.GatewayError;
import dev.affinity.model.GatewayErrorException;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A request in a cloud's API for Claude — Bedrock's InvokeModel ({@code POST /model/{modelId}/invoke} and
 * {@code /invoke-with-response-stream}) or Vertex AI's rawPredict ({@code .../publishers/anthropic/models/{model}
 * :rawPredict}, {@code :streamRawPredict}, {@code count-tokens:rawPredict}) — read as the Anthropic Messages request it
 * carries. Both bodies are Messages bodies without {@code model} (the path names it) and with
 * {@code anthropic_version}; Bedrock's may carry {@code anthropic_beta}, the header's values as an array.
 *
 * @param modelId     the model as the path names it, percent-decoded; null for Vertex's count-tokens, whose body names
 *                    it
 * @param stream      whether the path asks for a streamed answer
 * @param countTokens whether this is Vertex's {@code count-tokens:rawPredict}
 */
public record CloudApiRequest(Cloud cloud, String modelId, boolean stream, boolean countTokens) {

  /** Which cloud's API the client speaks. */
  public enum Cloud { BEDROCK, VERTEX }

  private static final Pattern BEDROCK = Pattern.compile("/model/(.+)/(invoke|invoke-with-response-stream)");
  private static final Pattern VERTEX = Pattern.compile(
      "/v1/projects/[^/]+/locations/[^/]+/publishers/anthropic/models/([^/]+):(rawPredict|streamRawPredict)");
  /** The regular expressions the HTTP routes are mounted with. */
  public static final String BEDROCK_ROUTE = BEDROCK.pattern();
  public static final String VERTEX_ROUTE = VERTEX.pattern();
  private static final String VERTEX_COUNT_TOKENS = "count-tokens";

  /** The request a Bedrock InvokeModel path names; {@code rawPath} as received (a {@code :} may come as %3A). */
  public static CloudApiRequest bedrock(String rawPath) {
    Matcher path = BEDROCK.matcher(rawPath);
    if (!path.matches()) {
      throw new IllegalArgumentException("not an InvokeModel path: " + rawPath);
    }
    return new CloudApiRequest(Cloud.BEDROCK, percentDecoded(path.group(1)),
        path.group(2).equals("invoke-with-response-stream"), false);
  }

  /** The request a Vertex AI rawPredict path names. */
  public static CloudApiRequest vertex(String rawPath) {
    Matcher path = VERTEX.matcher(rawPath);
    if (!path.matches()) {
      throw new IllegalArgumentException("not a rawPredict path: " + rawPath);
    }
    String model = percentDecoded(path.group(1));
    boolean countTokens = model.equals(VERTEX_COUNT_TOKENS);
    return new CloudApiRequest(Cloud.VERTEX, countTokens ? null : model,
        !countTokens && path.group(2).equals("streamRawPredict"), countTokens);
  }

  /**
   * The model the request names: the path's, or for Vertex's count-tokens the body's {@code model} (a Vertex id).
   *
   * @throws GatewayErrorException when the body of a count-tokens request names none
   */
  public String model(JsonNode body) {
    if (modelId != null) {
      return modelId;
    }
    JsonNode model = body.path("model");
    if (!model.isTextual() || model.asText().isBlank()) {
      throw new GatewayErrorException(GatewayError.invalidRequest("model: field required"));
    }
    return model.asText();
  }

  /**
   * The Anthropic Messages body this request carries, for {@code alias}: {@code model} set, {@code stream} as the
   * path says (rawPredict keeps the body's own flag), {@code anthropic_version} and {@code anthropic_beta} left out
   * (the betas travel as the {@code anthropic-beta} header, see {@link #betas}).
   */
  public ObjectNode messages(JsonNode body, String alias) {
    if (!body.isObject()) {
      throw new GatewayErrorException(GatewayError.invalidRequest("request body must be a JSON object"));
    }
    ObjectNode messages = ((ObjectNode) body).deepCopy();
    messages.remove(List.of("anthropic_version", "anthropic_beta", "model"));
    // model first, as Anthropic's SDKs write it: what the router rewrites is found at once
    ObjectNode canonical = messages.objectNode().put("model", alias);
    canonical.setAll(messages);
    if (countTokens) {
      canonical.remove("stream");
    } else if (cloud == Cloud.BEDROCK || stream) {
      canonical.put("stream", stream);
    }
    return canonical;
  }

  /**
   * The {@code anthropic-beta} header to send: the header's values and the body's {@code anthropic_beta}, each once
   * (Anthropic's SDKs for Bedrock move the header into the body); null when the body has none (the header as sent).
   */
  public static String betaHeader(List<String> headerValues, JsonNode body) {
    List<String> fromBody = betas(body);
    if (fromBody.isEmpty()) {
      return null;
    }
    Set<String> all = new LinkedHashSet<>();
    for (String header : headerValues) {
      for (String value : header.split(",")) {
        if (!value.isBlank()) {
          all.add(value.trim());
        }
      }
    }
    all.addAll(fromBody);
    return String.join(",", all);
  }

  /** The body's {@code anthropic_beta} values, for the {@code anthropic-beta} header; empty when it has none. */
  public static List<String> betas(JsonNode body) {
    JsonNode betas = body.path("anthropic_beta");
    List<String> values = new ArrayList<>();
    if (betas.isMissingNode() || betas.isNull()) {
      return values;
    }
    if (!betas.isArray()) {
      throw new GatewayErrorException(GatewayError.invalidRequest("anthropic_beta: must be an array of strings"));
    }
    for (JsonNode beta : betas) {
      if (!beta.isTextual()) {
        throw new GatewayErrorException(GatewayError.invalidRequest("anthropic_beta: must be an array of strings"));
      }
      values.add(beta.asText());
    }
    return values;
  }

  /** {@code %3A} is {@code :}; a {@code +} stays a plus (a path is not a form). Malformed escapes stay as sent. */
  static String percentDecoded(String raw) {
    if (raw.indexOf('%') < 0) {
      return raw;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%' && i + 2 < raw.length()
          && Character.digit(raw.charAt(i + 1), 16) >= 0 && Character.digit(raw.charAt(i + 2), 16) >= 0) {
        bytes.write(Character.digit(raw.charAt(i + 1), 16) * 16 + Character.digit(raw.charAt(i + 2), 16));
        i += 2;
      } else {
        bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
