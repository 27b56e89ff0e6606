package dev.affinity.provider.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.model.ClientApi;
import dev.affinity.model.JsonBody;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.config.ProviderKind;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;

/**
 * An OpenAI client on a Claude-family upstream: the Anthropic client's pair for that upstream, with Chat Completions
 * on the client's side of it. The request becomes a Messages request ({@link ChatToMessages}, the canonical form the
 * prefix chain is computed on); what the upstream answers is first what an Anthropic client would get, then a chat
 * completion ({@link MessagesToChat}), OpenAI chunks ({@link OpenAiChunkStream}) or an OpenAI error.
 */
abstract class ChatOverMessages implements Translator {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Translator messages;

  /** @param messages the Anthropic client's pair for the same upstream */
  ChatOverMessages(Translator messages) {
    if (messages.client() != ClientApi.ANTHROPIC) {
      throw new IllegalArgumentException("an OpenAI pair wraps an Anthropic client's pair, not " + messages.client());
    }
    this.messages = messages;
  }

  @Override
  public final ClientApi client() {
    return ClientApi.OPENAI;
  }

  @Override
  public final ProviderKind upstream() {
    return messages.upstream();
  }

  @Override
  public final JsonNode canonical(JsonNode clientBody) {
    return ChatToMessages.request(clientBody);
  }

  @Override
  public final Buffer requestBody(ProviderCall call) {
    return messages.requestBody(call);
  }

  @Override
  public final Answer answer(ProviderCall call, int status, MultiMap headers, Buffer body) {
    Answer anthropic = messages.answer(call, status, headers, body);
    int answered = anthropic.statusFor(status);
    JsonNode json;
    try {
      json = JSON.readTree(anthropic.body().getBytes());
    } catch (IOException notJson) {
      json = null;
    }
    if (answered < 400 && json != null) {
      return Answer.json(anthropic.status(), JsonBody.of(MessagesToChat.response(json, call.request().model(),
          answersInJson(call))), anthropic.usage(), null);
    }
    return Answer.json(anthropic.status(), JsonBody.of(MessagesToChat.error(answered, json)),
        anthropic.usage(), anthropic.errorType());
  }

  @Override
  public final StreamTranslation stream(ProviderCall call) {
    return new RewrittenStream(messages.stream(call),
        new OpenAiChunkStream(call.request().model(), call.streamUsage(), answersInJson(call)));
  }

  /**
   * Whether the client asked for JSON, as its Messages form says ({@link ChatToMessages#answersThroughJsonTool}); the
   * call carries that form's tree, or only its bytes after a cluster hop.
   */
  private static boolean answersInJson(ProviderCall call) {
    JsonNode messages = call.request().json();
    if (messages == null) {
      try {
        messages = JSON.readTree(call.request().body().getBytes());
      } catch (IOException unreadable) {
        return false; // the gateway wrote these bytes itself; nothing to do here but answer as text
      }
    }
    return ChatToMessages.answersThroughJsonTool(messages);
  }
}
