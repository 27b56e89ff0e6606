package dev.affinity.provider.anthropic;

import dev.affinity.model.ClientApi;
import com.fasterxml.jackson.databind.JsonNode;
import dev.affinity.model.Operation;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.TokenUsage;
import dev.affinity.provider.ProviderVerticle.Complete;
import dev.affinity.provider.translate.AnthropicToOpenAi;
import io.vertx.core.buffer.Buffer;

/**
 * A successful complete answer in Anthropic's message format (from Anthropic, Bedrock or Vertex): its usage, and the
 * body the client gets, translated for a client of the OpenAI API.
 */
public final class AnthropicAnswer {

  private AnthropicAnswer() {
  }

  public static Complete of(ProviderCall call, JsonNode message, Buffer body) {
    TokenUsage usage = AnthropicUsage.merge(TokenUsage.NONE, message.path("usage"));
    if (call.request().operation().api() == ClientApi.OPENAI) {
      return new Complete(Buffer.buffer(AnthropicToOpenAi.response(message, call.request().model()).toString()),
          usage, null);
    }
    return new Complete(body, usage, null);
  }
}
