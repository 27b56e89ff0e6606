package dev.affinity.provider.translate;

import dev.affinity.model.ClientApi;
import dev.affinity.model.config.ProviderKind;
import org.junit.jupiter.api.Test;

/**
 * Vertex rawPredict client, Bedrock upstream: Bedrock's frames decoded into Anthropic's events, its errors in
 * Google's shape.
 */
class VertexRawPredictToBedrockTest extends CloudPairContract {

  VertexRawPredictToBedrockTest() {
    super(VertexRawPredictToBedrock.class, ClientApi.VERTEX_RAW_PREDICT, ProviderKind.BEDROCK, CloudPairs.BEDROCK,
        new AnthropicToBedrock());
  }

  @Test
  void theStreamIsBedrocksFramesDecoded() {
    streamsAsAnthropicEvents(CloudPairs.bedrockFrames());
  }

  @Test
  void upstreamErrorsAreInGooglesShape() {
    reshapesErrorsForGoogle(BEDROCK_ERROR, BEDROCK_ERROR_HEADERS);
  }
}
