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
 * A Responses API client on an upstream that does not serve the Responses API: the OpenAI (Chat Completions) client's
 * pair for that upstream, with the Responses API on the client's side of it, as LiteLLM bridges it. The request is
 * first the Chat request it means ({@link ResponsesRequestToChat}), then that pair's canonical form (the prefix chain
 * is computed on it); what the upstream answers is first what a Chat client would get, then a response object
 * ({@link ChatToResponse}) or the Responses API's events ({@link ChatChunksToResponseEvents}). Errors are OpenAI's
 * shape, the same for both APIs. Nothing is stored upstream: {@code previous_response_id} is refused.
 */
abstract class ResponsesOverChat implements Translator {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Translator chat;

  /** @param chat the OpenAI client's pair for the same upstream */
  ResponsesOverChat(Translator chat) {
    if (chat.client() != ClientApi.OPENAI) {
      throw new IllegalArgumentException("a Responses pair wraps an OpenAI client's pair, not " + chat.client());
    }
    this.chat = chat;
  }

  @Override
  public final ClientApi client() {
    return ClientApi.RESPONSES;
  }

  @Override
  public final ProviderKind upstream() {
    return chat.upstream();
  }

  @Override
  public final JsonNode canonical(JsonNode clientBody) {
    return chat.canonical(ResponsesRequestToChat.request(clientBody));
  }

  /** OpenAI's built-in tools (any but {@code function}: {@code web_search}, Codex's {@code namespace}...). */
  @Override
  public final JsonNode droppingUnserved(JsonNode clientBody) {
    return ResponsesRequestToChat.withoutBuiltInTools(clientBody);
  }

  @Override
  public final Buffer requestBody(ProviderCall call) {
    return chat.requestBody(call);
  }

  @Override
  public final Answer answer(ProviderCall call, int status, MultiMap headers, Buffer body) {
    Answer completion = chat.answer(call, status, headers, body);
    if (completion.statusFor(status) >= 400) {
      return completion;
    }
    try {
      JsonNode json = JSON.readTree(completion.body().getBytes());
      return Answer.json(completion.status(), JsonBody.of(ChatToResponse.response(json, call.request().model())),
          completion.usage(), null);
    } catch (IOException notJson) {
      return completion;
    }
  }

  @Override
  public final StreamTranslation stream(ProviderCall call) {
    return new RewrittenStream(chat.stream(call), new ChatChunksToResponseEvents(call.request().model()));
  }
}
