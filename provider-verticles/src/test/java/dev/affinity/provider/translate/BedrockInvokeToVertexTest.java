package dev.affinity.provider.translate;

import dev.affinity.model.ClientApi;
import dev.affinity.model.config.ProviderKind;
import org.junit.jupiter.api.Test;

/**
 * Bedrock InvokeModel client, Vertex upstream: Vertex's events re-framed as Bedrock's, Google's errors in Bedrock's
 * shape.
 */
class BedrockInvokeToVertexTest extends CloudPairContract {

  BedrockInvokeToVertexTest() {
    super(BedrockInvokeToVertex.class, ClientApi.BEDROCK_INVOKE, ProviderKind.VERTEX, CloudPairs.VERTEX,
        new AnthropicToVertex());
  }

  @Test
  void theStreamIsBedrocksEventStream() {
    streamsAsBedrockFrames(CloudPairs.anthropicSse());
  }

  @Test
  void upstreamErrorsAreInBedrocksShape() {
    reshapesErrorsForBedrock(GOOGLE_ERROR);
  }
}
