package dev.affinity.provider.translate;

import dev.affinity.model.ClientApi;
import dev.affinity.model.GatewayError;
import dev.affinity.model.ProviderCall;
import io.vertx.core.buffer.Buffer;

/**
 * Bedrock InvokeModel clients of Claude on Bedrock: the same API on both sides, so messages, event-stream frames and
 * errors (with their {@code x-amzn-ErrorType}) reach the client as Bedrock sent them; the stream is decoded on the side
 * only to read its usage.
 */
public final class BedrockInvokeToBedrock extends ClaudeCloudPair {

  public BedrockInvokeToBedrock() {
    super(ClientApi.BEDROCK_INVOKE, new AnthropicToBedrock());
  }

  @Override
  Answer error(int status, Buffer upstream, GatewayError read) {
    return asSent(upstream, read);
  }

  @Override
  public StreamTranslation stream(ProviderCall call) {
    return BedrockEventStream.asSent(call.deployment());
  }
}
