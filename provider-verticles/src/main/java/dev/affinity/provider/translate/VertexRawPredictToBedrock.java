package dev.affinity.provider.translate;

import dev.affinity.model.ClientApi;
import dev.affinity.model.GatewayError;
import io.vertx.core.buffer.Buffer;

/**
 * Vertex AI rawPredict clients of Claude on Bedrock: messages as Bedrock sends them (the same JSON, a token count
 * renamed), its event stream decoded into Anthropic's server-sent events, its errors in Google's shape, as Vertex AI's
 * front end answers.
 */
public final class VertexRawPredictToBedrock extends ClaudeCloudPair {

  public VertexRawPredictToBedrock() {
    super(ClientApi.VERTEX_RAW_PREDICT, new AnthropicToBedrock());
  }

  @Override
  Answer error(int status, Buffer upstream, GatewayError read) {
    return reshaped(read);
  }
}
