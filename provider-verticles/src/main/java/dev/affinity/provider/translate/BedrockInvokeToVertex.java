package dev.affinity.provider.translate;

import dev.affinity.model.ClientApi;
import dev.affinity.model.GatewayError;
import dev.affinity.model.ProviderCall;
import io.vertx.core.buffer.Buffer;

/**
 * Bedrock InvokeModel clients of Claude on Vertex AI: messages as Vertex sends them, its server-sent events as
 * Bedrock's event-stream frames, its errors (Google's or Claude's) as Bedrock's {@code {"message": ...}}.
 */
public final class BedrockInvokeToVertex extends ClaudeCloudPair {

  public BedrockInvokeToVertex() {
    super(ClientApi.BEDROCK_INVOKE, new AnthropicToVertex());
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
