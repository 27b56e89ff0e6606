package dev.affinity.provider.translate;

import dev.affinity.model.ClientApi;
import dev.affinity.model.config.ProviderKind;
import org.junit.jupiter.api.Test;

/**
 * Vertex rawPredict client, Anthropic upstream: Vertex relays Claude's own events and errors, so they pass
 * unchanged.
 */
class VertexRawPredictToAnthropicTest extends CloudPairContract {

  VertexRawPredictToAnthropicTest() {
    super(VertexRawPredictToAnthropic.class, ClientApi.VERTEX_RAW_PREDICT, ProviderKind.ANTHROPIC, CloudPairs.ANTHROPIC,
        new AnthropicToAnthropic());
  }

  @Test
  void theStreamIsAnthropicsEvents() {
    streamsAsAnthropicEvents(CloudPairs.anthropicSse());
  }

  @Test
  void upstreamErrorBodiesReachTheClientUnmodified() {
    passesErrorsUnmodified(ANTHROPIC_ERROR);
  }
}
