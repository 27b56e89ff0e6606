package dev.affinity.provider.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.model.ClientApi;
import dev.affinity.model.GatewayError;
import dev.affinity.model.JsonBody;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.TokenUsage;
import dev.affinity.model.config.ProviderKind;
import dev.affinity.provider.anthropic.AnthropicAnswer;
import dev.affinity.provider.bedrock.BedrockError;
import dev.affinity.provider.bedrock.BedrockRequest;
import dev.affinity.provider.bedrock.BedrockUsageTap;
import dev.affinity.provider.bedrock.EventStreamToSse;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.util.logging.Logger;

/**
 * An Anthropic client on Claude in AWS Bedrock (InvokeModel): the Messages body in InvokeModel's envelope
 * ({@link BedrockRequest}), answers as Anthropic's JSON (a token count renamed), the binary event stream decoded into
 * Anthropic's server-sent events ({@link EventStreamToSse}) with Bedrock's billed usage ({@link BedrockUsageTap}),
 * and Bedrock's errors in Anthropic's shape ({@link BedrockError}).
 */
public final class AnthropicToBedrock implements Translator {

  private static final Logger LOG = Logger.getLogger(AnthropicToBedrock.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String SSE = "text/event-stream; charset=utf-8";

  @Override
  public ClientApi client() {
    return ClientApi.ANTHROPIC;
  }

  @Override
  public ProviderKind upstream() {
    return ProviderKind.BEDROCK;
  }

  @Override
  public JsonNode canonical(JsonNode clientBody) {
    return clientBody;
  }

  @Override
  public Buffer requestBody(ProviderCall call) {
    BedrockRequest invoke;
    try {
      invoke = BedrockRequest.of(JSON.readTree(call.body().getBytes()), call.request().headers());
    } catch (IOException notJson) {
      throw new TranslationException("request body is not valid JSON");
    } catch (IllegalArgumentException invalid) {
      throw new TranslationException(invalid.getMessage());
    }
    if (!invoke.droppedBetas().isEmpty()) {
      LOG.fine(() -> "deployment " + call.deployment().id() + ": anthropic-beta values Bedrock does not accept, "
          + "left out: " + invoke.droppedBetas());
    }
    return Buffer.buffer(call.request().operation().countsTokens() ? invoke.countTokensBytes()
        : invoke.bytes());
  }

  /** Errors are typed by the {@code x-amzn-errortype} header, else by their body ({@code __type}) or status. */
  @Override
  public Answer answer(ProviderCall call, int status, MultiMap headers, Buffer body) {
    if (status >= 300) {
      GatewayError error = BedrockError.of(status, headers == null ? null : headers.get("x-amzn-errortype"),
          body.getBytes(), call.deployment());
      return Answer.anthropicError(error);
    }
    JsonNode json;
    try {
      json = JSON.readTree(body.getBytes());
    } catch (IOException notJson) {
      return Answer.anthropicError(GatewayError.upstreamUnreachable("deployment " + call.deployment().id()
          + ": Bedrock answered with a body that is not JSON"));
    }
    if (call.request().operation().countsTokens()) {
      // CountTokens says {"inputTokens": n}; Anthropic's count_tokens says {"input_tokens": n}
      return Answer.json(0, JsonBody.of(JSON.createObjectNode()
          .put("input_tokens", json.path("inputTokens").asLong())), TokenUsage.NONE, null);
    }
    return AnthropicAnswer.message(json, body);
  }

  @Override
  public StreamTranslation stream(ProviderCall call) {
    return new TappedStream(new EventStreamToSse(call.deployment()), new BedrockUsageTap(), SSE);
  }
}
