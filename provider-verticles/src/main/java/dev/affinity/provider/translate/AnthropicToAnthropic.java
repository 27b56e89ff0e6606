package dev.affinity.provider.translate;

import dev.affinity.model.ClientApi;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.config.ProviderKind;
import dev.affinity.provider.anthropic.AnthropicAnswer;
import dev.affinity.provider.anthropic.SseUsageTap;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/**
 * An Anthropic client on Anthropic's API: nothing to translate. The body goes as the router made it, answers,
 * streams and errors come back byte for byte; only their usage and error type are read.
 */
public final class AnthropicToAnthropic extends PassThrough {

  public AnthropicToAnthropic() {
    super(ClientApi.ANTHROPIC, ProviderKind.ANTHROPIC);
  }

  @Override
  public Answer answer(ProviderCall call, int status, MultiMap headers, Buffer body) {
    return AnthropicAnswer.read(status, body);
  }

  @Override
  public StreamTranslation stream(ProviderCall call) {
    return new TappedStream(StreamDecoder.NONE, new SseUsageTap(), null);
  }
}
