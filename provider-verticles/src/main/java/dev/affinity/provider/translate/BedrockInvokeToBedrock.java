package dev.affinity.provider.translate;

import dev.affinity.model.ClientApi;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.config.ProviderKind;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/**
 * Bedrock InvokeModel clients of Claude on Bedrock: the same API on both sides, so messages, event-stream frames and
 * errors (with their {@code x-amzn-ErrorType}) reach the client as Bedrock sent them; the stream is decoded on the side
 * only to read its usage.
 */
public final class BedrockInvokeToBedrock extends ClaudeCloudPair {

  public BedrockInvokeToBedrock() {
    super(ClientApi.BEDROCK_INVOKE, ProviderKind.BEDROCK);
  }

  @Override
  public Buffer requestBody(ProviderCall call) {
    return ClaudeAnswers.bedrockBody(call);
  }

  @Override
  Answer error(ProviderCall call, int status, MultiMap headers, Buffer body) {
    return ClaudeAnswers.errorAsSent(status, body, ClaudeAnswers.bedrockError(call, status, headers, body));
  }

  @Override
  public StreamTranslation stream(ProviderCall call) {
    return BedrockEventStream.asSent(call.deployment());
  }
}
