package dev.affinity.provider.translate;

import dev.affinity.model.ClientApi;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.config.ProviderKind;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/**
 * Bedrock InvokeModel clients of Claude on Vertex AI: messages as Vertex sends them, its server-sent events as
 * Bedrock's event-stream frames, its errors (Google's or Claude's) as Bedrock's {@code {"message": ...}}.
 */
public final class BedrockInvokeToVertex extends ClaudeCloudPair {

  public BedrockInvokeToVertex() {
    super(ClientApi.BEDROCK_INVOKE, ProviderKind.VERTEX);
  }

  @Override
  public Buffer requestBody(ProviderCall call) {
    return ClaudeAnswers.vertexBody(call);
  }

  @Override
  Answer error(ProviderCall call, int status, MultiMap headers, Buffer body) {
    return ClaudeAnswers.errorFor(client(), ClaudeAnswers.vertexError(call, status, body));
  }

  @Override
  public StreamTranslation stream(ProviderCall call) {
    return AnthropicSseStream.asEventStream();
  }
}
