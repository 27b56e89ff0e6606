package dev.affinity.provider.translate;

import dev.affinity.model.ClientApi;
import dev.affinity.model.config.ProviderKind;
import org.junit.jupiter.api.Test;

/** Vertex rawPredict client, Vertex upstream: the same API, so events and errors pass as Vertex sent them. */
class VertexRawPredictToVertexTest extends CloudPairContract {

  VertexRawPredictToVertexTest() {
    super(VertexRawPredictToVertex.class, ClientApi.VERTEX_RAW_PREDICT, ProviderKind.VERTEX, CloudPairs.VERTEX,
        new AnthropicToVertex());
  }

  @Test
  void theStreamIsAnthropicsEvents() {
    streamsAsAnthropicEvents(CloudPairs.anthropicSse());
  }

  @Test
  void upstreamErrorBodiesReachTheClientUnmodified() {
    passesErrorsUnmodified(GOOGLE_ERROR);
  }
}
