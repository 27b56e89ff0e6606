package dev.affinity.provider.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.model.ClientApi;
import dev.affinity.model.GatewayError;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.TokenUsage;
import dev.affinity.model.config.ProviderKind;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;

/**
 * A pair from a cloud API for Claude (Bedrock InvokeModel, Vertex rawPredict) to a Claude upstream. These clients
 * send the Messages body in an envelope the ingress opens (the path names the model), and read Claude's message JSON
 * back: so the request body, the successful answers and the stream's events are the Anthropic client's pair's
 * ({@link #messages}), and each pair says only how its client sees errors and the stream's framing.
 */
abstract class ClaudeCloudPair implements Translator {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ClientApi client;
  private final Translator messages;

  /** @param messages the Anthropic client's pair to the same upstream */
  ClaudeCloudPair(ClientApi client, Translator messages) {
    this.client = client;
    this.messages = messages;
  }

  @Override
  public final ClientApi client() {
    return client;
  }

  @Override
  public final ProviderKind upstream() {
    return messages.upstream();
  }

  /** The ingress already opened the envelope ({@code CloudApiRequest} in the router): the body is the Messages body. */
  @Override
  public final JsonNode canonical(JsonNode clientBody) {
    return clientBody;
  }

  @Override
  public final Buffer requestBody(ProviderCall call) {
    return messages.requestBody(call);
  }

  @Override
  public final Answer answer(ProviderCall call, int status, MultiMap headers, Buffer body) {
    Answer anthropic = messages.answer(call, status, headers, body);
    int answered = anthropic.statusFor(status);
    if (answered < 300) {
      return anthropic;
    }
    String message = message(anthropic.body());
    // an upstream (or a proxy before it) may answer with no message at all, a 431 for headers too large say
    return error(status, body, new GatewayError(answered,
        anthropic.errorType() == null ? "api_error" : anthropic.errorType(),
        message.isBlank() ? "the upstream answered HTTP " + answered + " without a message" : message));
  }

  /**
   * An upstream error as the client gets it.
   *
   * @param status   the upstream's status
   * @param upstream the upstream's body, as it came
   * @param read     the error as the Anthropic client's pair read it (status, type, message)
   */
  abstract Answer error(int status, Buffer upstream, GatewayError read);

  /** The error relayed as the upstream sent it: for a client of the upstream's own API. */
  static Answer asSent(Buffer upstream, GatewayError read) {
    return Answer.relayed(upstream, TokenUsage.NONE, read.type());
  }

  /** The error in the client's own shape. */
  final Answer reshaped(GatewayError read) {
    return Answer.json(read.status(client), read.toJson(client).toBuffer(), TokenUsage.NONE, read.type());
  }

  @Override
  public StreamTranslation stream(ProviderCall call) {
    return messages.stream(call);
  }

  /** The Anthropic client's stream for {@code call}, as Bedrock's event-stream frames. */
  final StreamTranslation asEventStream(ProviderCall call) {
    return new EventStreamEncoding(messages.stream(call));
  }

  private static String message(Buffer anthropicError) {
    try {
      return JSON.readTree(anthropicError.getBytes()).path("error").path("message").asText("");
    } catch (IOException notJson) {
      return "";
    }
  }
}
