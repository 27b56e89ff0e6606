package dev.affinity.provider.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.model.ClientApi;
import dev.affinity.model.GatewayError;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.TokenUsage;
import dev.affinity.provider.anthropic.AnthropicUsage;
import dev.affinity.provider.bedrock.BedrockError;
import dev.affinity.provider.bedrock.BedrockRequest;
import dev.affinity.provider.vertex.VertexError;
import dev.affinity.provider.vertex.VertexRequest;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;

/**
 * What the pairs from the cloud APIs for Claude (Bedrock InvokeModel, Vertex rawPredict) share: their clients and
 * every Claude upstream speak the same message JSON on success, so a complete answer is relayed as it is, its usage
 * read; they differ in their errors and their stream framing, which each pair says.
 */
final class ClaudeAnswers {

  private static final ObjectMapper JSON = new ObjectMapper();

  private ClaudeAnswers() {
  }

  /** A successful answer (a message, or a token count), relayed as it is, with its usage. */
  static Answer relayed(Buffer body) {
    return new Answer(body, usage(body), null);
  }

  /** An upstream error relayed unmodified to a client of the upstream's own API, typed in Anthropic's names. */
  static Answer errorAsSent(int status, Buffer body, GatewayError read) {
    return new Answer(body, TokenUsage.NONE, read.type());
  }

  /** An upstream error, read as {@code read}, told in {@code client}'s shape. */
  static Answer errorFor(ClientApi client, GatewayError read) {
    return new Answer(read.status(client), read.toJson(client).toBuffer(), TokenUsage.NONE, read.type());
  }

  /** The error an Anthropic error body says ({@code {"type":"error","error":{"type","message"}}}). */
  static GatewayError anthropicError(int status, Buffer body) {
    JsonNode error = json(body).path("error");
    return new GatewayError(status, error.path("type").asText("api_error"),
        error.path("message").asText("upstream error " + status));
  }

  static GatewayError bedrockError(ProviderCall call, int status, MultiMap headers, Buffer body) {
    return BedrockError.of(status, headers == null ? null : headers.get("x-amzn-errortype"), body.getBytes(),
        call.deployment());
  }

  static GatewayError vertexError(ProviderCall call, int status, Buffer body) {
    return VertexError.of(status, body.getBytes(), call.deployment());
  }

  /** The canonical Messages body as Bedrock's InvokeModel (or CountTokens) body. */
  static Buffer bedrockBody(ProviderCall call) {
    BedrockRequest invoke = BedrockRequest.of(json(call.body()), call.request().headers());
    return Buffer.buffer(call.request().operation().countsTokens() ? invoke.countTokensBytes() : invoke.bytes());
  }

  /** The canonical Messages body as Vertex AI's rawPredict (or count-tokens) body. */
  static Buffer vertexBody(ProviderCall call) {
    return Buffer.buffer(VertexRequest.of(call.deployment(), call.deployment().upstreamModel(call.request().model()),
        call.request().operation().countsTokens(), json(call.body())).body());
  }

  private static TokenUsage usage(Buffer body) {
    return AnthropicUsage.merge(TokenUsage.NONE, json(body).path("usage"));
  }

  private static JsonNode json(Buffer body) {
    try {
      return JSON.readTree(body.getBytes());
    } catch (IOException notJson) {
      return JSON.missingNode();
    }
  }
}
