package dev.affinity.provider.translate;

import dev.affinity.model.ClientApi;
import dev.affinity.model.TokenUsage;
import dev.affinity.model.config.ProviderKind;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Bedrock InvokeModel client, Bedrock upstream: the same API, so frames and errors pass as Bedrock sent them. */
class BedrockInvokeToBedrockTest extends CloudPairContract {

  BedrockInvokeToBedrockTest() {
    super(BedrockInvokeToBedrock.class, ClientApi.BEDROCK_INVOKE, ProviderKind.BEDROCK, CloudPairs.BEDROCK,
        new AnthropicToBedrock());
  }

  @Test
  void theFramesPassAsBedrockSentThemWithTheUsageAtTheirEnd() {
    byte[] upstream = CloudPairs.bedrockFrames();
    StreamTranslation stream = pair.stream(call);
    assertThat(CloudPairs.streamed(stream, upstream, 7)).isEqualTo(upstream);
    assertThat(stream.contentType()).isEqualTo("application/vnd.amazon.eventstream");
    assertThat(stream.usage()).isEqualTo(new TokenUsage(12, 0, 0, 0, 4096, 7));
  }

  @Test
  void upstreamErrorBodiesReachTheClientUnmodified() {
    passesErrorsUnmodified(BEDROCK_ERROR, BEDROCK_ERROR_HEADERS);
  }
}
