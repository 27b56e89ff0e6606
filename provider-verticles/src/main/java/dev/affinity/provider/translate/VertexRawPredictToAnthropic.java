package dev.affinity.provider.translate;

import dev.affinity.model.ClientApi;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.config.ProviderKind;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/**
 * Vertex AI rawPredict clients of Claude on Anthropic's API: Vertex relays Claude's own messages, events and errors
 * as Anthropic writes them, so all three pass unchanged.
 */
public final class VertexRawPredictToAnthropic extends ClaudeCloudPair {

  public VertexRawPredictToAnthropic() {
    super(ClientApi.VERTEX_RAW_PREDICT, ProviderKind.ANTHROPIC);
  }

  @Override
  public Buffer requestBody(ProviderCall call) {
    return call.body();
  }

  @Override
  Answer error(ProviderCall call, int status, MultiMap headers, Buffer body) {
    return ClaudeAnswers.errorAsSent(status, body, ClaudeAnswers.anthropicError(status, body));
  }

  @Override
  public StreamTranslation stream(ProviderCall call) {
    return AnthropicSseStream.asSent();
  }
}
