package dev.affinity.provider.translate;

import dev.affinity.model.ClientApi;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.TokenUsage;
import dev.affinity.model.config.ProviderKind;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * Vertex AI rawPredict clients of Claude on Bedrock: messages as Bedrock sends them (the same JSON), its event stream
 * decoded into Anthropic's server-sent events, its errors in Google's shape, as Vertex AI's front end answers.
 */
public final class VertexRawPredictToBedrock extends ClaudeCloudPair {

  public VertexRawPredictToBedrock() {
    super(ClientApi.VERTEX_RAW_PREDICT, ProviderKind.BEDROCK);
  }

  @Override
  public Buffer requestBody(ProviderCall call) {
    return ClaudeAnswers.bedrockBody(call);
  }

  /** Bedrock's CountTokens says {@code {"inputTokens": n}}; Vertex's count-tokens says {@code {"input_tokens": n}}. */
  @Override
  Answer success(ProviderCall call, Buffer body) {
    if (!call.request().operation().countsTokens()) {
      return super.success(call, body);
    }
    long tokens = new JsonObject(body).getLong("inputTokens", 0L);
    return new Answer(new JsonObject().put("input_tokens", tokens).toBuffer(), TokenUsage.NONE, null);
  }

  @Override
  Answer error(ProviderCall call, int status, MultiMap headers, Buffer body) {
    return ClaudeAnswers.errorFor(client(), ClaudeAnswers.bedrockError(call, status, headers, body));
  }

  @Override
  public StreamTranslation stream(ProviderCall call) {
    return BedrockEventStream.asSse(call.deployment());
  }
}
