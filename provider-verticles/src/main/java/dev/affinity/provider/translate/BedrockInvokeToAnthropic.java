package dev.affinity.provider.translate;

import dev.affinity.model.ClientApi;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.config.ProviderKind;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/**
 * Bedrock InvokeModel clients of Claude on Anthropic's API: messages as Anthropic sends them, streams as Bedrock's
 * event-stream frames, errors as Bedrock's {@code {"message": ...}} (the ingress adds {@code x-amzn-ErrorType}).
 */
public final class BedrockInvokeToAnthropic extends ClaudeCloudPair {

  public BedrockInvokeToAnthropic() {
    super(ClientApi.BEDROCK_INVOKE, ProviderKind.ANTHROPIC);
  }

  @Override
  public Buffer requestBody(ProviderCall call) {
    return call.body();
  }

  @Override
  Answer error(ProviderCall call, int status, MultiMap headers, Buffer body) {
    return ClaudeAnswers.errorFor(client(), ClaudeAnswers.anthropicError(status, body));
  }

  @Override
  public StreamTranslation stream(ProviderCall call) {
    return AnthropicSseStream.asEventStream();
  }
}
