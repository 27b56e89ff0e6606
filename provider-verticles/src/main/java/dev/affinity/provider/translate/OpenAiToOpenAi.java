package dev.affinity.provider.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.model.ClientApi;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.TokenUsage;
import dev.affinity.model.config.ProviderKind;
import dev.affinity.provider.openai.OpenAiStreamTap;
import dev.affinity.provider.openai.OpenAiUsage;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;

/**
 * An OpenAI client on an OpenAI-compatible API: passed through. The body goes as the router made it (model
 * replaced), answers, streams and errors come back byte for byte; their usage and error type are read.
 */
public final class OpenAiToOpenAi extends PassThrough {

  private static final ObjectMapper JSON = new ObjectMapper();

  public OpenAiToOpenAi() {
    super(ClientApi.OPENAI, ProviderKind.OPENAI);
  }

  @Override
  public Answer answer(ProviderCall call, int status, MultiMap headers, Buffer body) {
    try {
      JsonNode json = JSON.readTree(body.getBytes());
      TokenUsage usage = OpenAiUsage.of(json.get("usage"));
      return Answer.relayed(body, usage == null ? TokenUsage.NONE : usage,
          status >= 400 ? json.path("error").path("type").asText("server_error") : null);
    } catch (IOException notJson) {
      return Answer.relayed(body, TokenUsage.NONE, status >= 400 ? "server_error" : null);
    }
  }

  @Override
  public StreamTranslation stream(ProviderCall call) {
    return new TappedStream(StreamDecoder.NONE, new OpenAiStreamTap(), null);
  }
}
