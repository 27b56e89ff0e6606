package dev.affinity.provider.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.model.ClientApi;
import dev.affinity.model.GatewayError;
import dev.affinity.model.JsonBody;
import dev.affinity.model.ProviderCall;
import dev.affinity.model.TokenUsage;
import dev.affinity.model.config.ProviderKind;
import dev.affinity.provider.openai.OpenAiUsage;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.util.List;

/**
 * An Anthropic client (Claude Code, an Anthropic SDK) on an OpenAI-compatible API: the request becomes a Chat
 * Completions request ({@link MessagesRequestToChat}, the canonical form the automatic prefix chain is computed on,
 * so affinity keeps a conversation on the server that cached it), the answer a Messages answer
 * ({@link ChatAnswerToMessages}), the chunks Anthropic events ({@link ChatChunksToEvents}), the errors Anthropic's.
 */
public final class AnthropicToOpenAi implements Translator {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String EVENT_STREAM = "text/event-stream; charset=utf-8";

  @Override
  public ClientApi client() {
    return ClientApi.ANTHROPIC;
  }

  @Override
  public ProviderKind upstream() {
    return ProviderKind.OPENAI;
  }

  @Override
  public JsonNode canonical(JsonNode clientBody) {
    return MessagesRequestToChat.request(clientBody);
  }

  @Override
  public Buffer requestBody(ProviderCall call) {
    return call.body();
  }

  @Override
  public Answer answer(ProviderCall call, int status, MultiMap headers, Buffer body) {
    JsonNode json;
    try {
      json = JSON.readTree(body.getBytes());
    } catch (IOException notJson) {
      json = null;
    }
    if (status < 400 && json != null && json.isObject()) {
      TokenUsage usage = OpenAiUsage.of(json.get("usage"));
      return Answer.json(0, JsonBody.of(ChatAnswerToMessages.message(json, call.request().model())),
          usage == null ? TokenUsage.NONE : usage, null);
    }
    if (status < 400) {
      return Answer.anthropicError(new GatewayError(502, "api_error", "The upstream model's answer was not JSON."));
    }
    return Answer.anthropicError(ChatAnswerToMessages.error(status, json));
  }

  @Override
  public StreamTranslation stream(ProviderCall call) {
    return new Events(new ChatChunksToEvents(call.request().model()));
  }

  /** OpenAI's chunks rewritten into Anthropic's events as they arrive. */
  private static final class Events implements StreamTranslation {

    private final ChatChunksToEvents events;

    Events(ChatChunksToEvents events) {
      this.events = events;
    }

    @Override
    public Buffer chunk(Buffer upstream) {
      return frames(events.feed(upstream.getBytes(), 0, upstream.length()));
    }

    @Override
    public Buffer end() {
      Buffer out = frames(events.finish());
      return out.length() == 0 ? null : out;
    }

    /** A stream that failed is over; one that completed waits for the upstream's own end (its connection is reused). */
    @Override
    public boolean done() {
      return events.errorType() != null;
    }

    @Override
    public TokenUsage usage() {
      TokenUsage usage = events.usage();
      return usage == null ? TokenUsage.NONE : usage;
    }

    @Override
    public String errorType() {
      return events.errorType();
    }

    @Override
    public String contentType() {
      return EVENT_STREAM;
    }

    private static Buffer frames(List<String> frames) {
      Buffer out = Buffer.buffer();
      for (String frame : frames) {
        out.appendString(frame);
      }
      return out;
    }
  }
}
