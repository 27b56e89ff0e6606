package dev.affinity.provider.translate;

import dev.affinity.model.ClientApi;
import dev.affinity.model.config.ProviderKind;
import org.junit.jupiter.api.Test;

/**
 * Bedrock InvokeModel client, Anthropic upstream: Anthropic's events re-framed as Bedrock's, errors in Bedrock's
 * shape.
 */
class BedrockInvokeToAnthropicTest extends CloudPairContract {

  BedrockInvokeToAnthropicTest() {
    super(BedrockInvokeToAnthropic.class, ClientApi.BEDROCK_INVOKE, ProviderKind.ANTHROPIC, CloudPairs.ANTHROPIC,
        new AnthropicToAnthropic());
  }

  @Test
  void theStreamIsBedrocksEventStream() {
    streamsAsBedrockFrames(CloudPairs.anthropicSse());
  }

  @Test
  void upstreamErrorsAreInBedrocksShape() {
    reshapesErrorsForBedrock(ANTHROPIC_ERROR);
  }
}
