package dev.affinity.provider.translate;

import dev.affinity.model.ClientApi;
import dev.affinity.model.GatewayError;
import io.vertx.core.buffer.Buffer;

/**
 * Vertex AI rawPredict clients of Claude on Vertex AI: the same API on both sides, so messages, events and errors
 * (Google's and Claude's) reach the client as Vertex sent them.
 */
public final class VertexRawPredictToVertex extends ClaudeCloudPair {

  public VertexRawPredictToVertex() {
    super(ClientApi.VERTEX_RAW_PREDICT, new AnthropicToVertex());
  }

  @Override
  Answer error(int status, Buffer upstream, GatewayError read) {
    return asSent(upstream, read);
  }
}
