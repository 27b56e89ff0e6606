package dev.affinity.provider.translate;

import dev.affinity.model.ClientApi;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.config.ProviderKind;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/**
 * Vertex AI rawPredict clients of Claude on Vertex AI: the same API on both sides, so messages, events and errors
 * (Google's and Claude's) reach the client as Vertex sent them.
 */
public final class VertexRawPredictToVertex extends ClaudeCloudPair {

  public VertexRawPredictToVertex() {
    super(ClientApi.VERTEX_RAW_PREDICT, ProviderKind.VERTEX);
  }

  @Override
  public Buffer requestBody(ProviderCall call) {
    return ClaudeAnswers.vertexBody(call);
  }

  @Override
  Answer error(ProviderCall call, int status, MultiMap headers, Buffer body) {
    return ClaudeAnswers.errorAsSent(status, body, ClaudeAnswers.vertexError(call, status, body));
  }

  @Override
  public StreamTranslation stream(ProviderCall call) {
    return AnthropicSseStream.asSent();
  }
}
