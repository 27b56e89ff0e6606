package dev.affinity.provider.translate;

import dev.affinity.model.ClientApi;
import dev.affinity.model.GatewayError;
import dev.affinity.model.ProviderCall;
import io.vertx.core.buffer.Buffer;

/**
 * Bedrock InvokeModel clients of Claude on Anthropic's API: messages as Anthropic sends them, the stream as Bedrock's
 * event-stream frames, errors as Bedrock's {@code {"message": ...}} (the ingress adds {@code x-amzn-ErrorType}).
 */
public final class BedrockInvokeToAnthropic extends ClaudeCloudPair {

  public BedrockInvokeToAnthropic() {
    super(ClientApi.BEDROCK_INVOKE, new AnthropicToAnthropic());
  }

  @Override
  Answer error(int status, Buffer upstream, GatewayError read) {
    return reshaped(read);
  }

  @Override
  public StreamTranslation stream(ProviderCall call) {
    return asEventStream(call);
  }
}
