package dev.affinity.provider.translate;

import dev.affinity.model.ClientApi;
import dev.affinity.model.GatewayError;
import io.vertx.core.buffer.Buffer;

/**
 * Vertex AI rawPredict clients of Claude on Anthropic's API: Vertex relays Claude's own messages, events and errors
 * as Anthropic writes them, so all three pass unchanged.
 */
public final class VertexRawPredictToAnthropic extends ClaudeCloudPair {

  public VertexRawPredictToAnthropic() {
    super(ClientApi.VERTEX_RAW_PREDICT, new AnthropicToAnthropic());
  }

  @Override
  Answer error(int status, Buffer upstream, GatewayError read) {
    return asSent(upstream, read);
  }
}
