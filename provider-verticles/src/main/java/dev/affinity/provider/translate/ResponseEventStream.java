package dev.affinity.provider.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.affinity.model.GatewayError;
import dev.affinity.model.TokenUsage;
import dev.affinity.provider.openai.OpenAiUsage;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.util.Set;

/**
 * A Responses API stream relayed event by event, as it arrives (split anywhere): the events that carry the response
 * object ({@code response.created}, {@code response.in_progress}, {@code response.completed}, {@code .incomplete},
 * {@code .failed}...) get the gateway's ids ({@link ResponsesToOpenAi#named}), and their usage is read; every other
 * event (the deltas) goes out as it came, unparsed. Events are re-framed as {@code event:} and {@code data:} lines
 * (comments and {@code id:} fields, which OpenAI does not send, are dropped). Holds back only the event in progress,
 * and ends the stream with an {@code error} event when one outgrows {@link PushedStream#MAX_EVENT_BYTES}.
 */
final class ResponseEventStream implements StreamTranslation {

  /** Only these events' data is parsed: the response object appears as a top-level key in no other. */
  private static final String RESPONSE_FIELD = "\"response\":";
  /** A response in these states is not over: a background one runs on upstream without its stream. */
  private static final Set<String> RUNNING = Set.of("queued", "in_progress");

  private final String deploymentId;
  private final boolean background;
  private final SseEventReader reader = new SseEventReader(PushedStream.MAX_EVENT_BYTES);
  private final SseEventReader.Listener relay = this::relay;
  private Buffer out = Buffer.buffer();
  private TokenUsage usage = TokenUsage.NONE;
  private String errorType;
  private String runningResponse;
  private boolean named;
  private boolean done;

  /** @param background whether the request asked for a background response */
  ResponseEventStream(String deploymentId, boolean background) {
    this.deploymentId = deploymentId;
    this.background = background;
  }

  @Override
  public Buffer chunk(Buffer upstream) {
    if (!done) {
      byte[] bytes = upstream.getBytes();
      try {
        reader.feed(bytes, 0, bytes.length, relay);
      } catch (SseEventReader.EventTooLarge tooLarge) {
        tooLarge();
      }
    }
    return drain();
  }

  @Override
  public Buffer end() {
    if (!done) {
      reader.end(relay);
    }
    Buffer tail = drain();
    return tail.length() == 0 ? null : tail;
  }

  private void relay(String event, String data) {
    if (data.contains(RESPONSE_FIELD) || "error".equals(event)) {
      data = read(event, data);
    }
    if (!event.isEmpty()) {
      out.appendString("event: ").appendString(event).appendString("\n");
    }
    for (String line : data.split("\n", -1)) {
      out.appendString("data: ").appendString(line).appendString("\n");
    }
    out.appendString("\n");
  }

  /** The event's data with the gateway's ids; its usage and error type noted. Data that is not JSON goes as is. */
  private String read(String event, String data) {
    JsonNode json;
    try {
      json = ResponsesToOpenAi.JSON.readTree(data);
    } catch (IOException notJson) {
      return data;
    }
    if (json == null || !json.isObject()) {
      return data;
    }
    String type = json.path("type").asText(event);
    if ("error".equals(type)) {
      errorType = json.path("code").asText(json.path("error").path("type").asText("server_error"));
      return data;
    }
    if (!(json.get("response") instanceof ObjectNode response)) {
      return data;
    }
    TokenUsage reported = OpenAiUsage.ofResponse(response.get("usage"));
    if (reported != null) {
      usage = reported;
    }
    if ("response.failed".equals(type)) {
      errorType = response.path("error").path("code").asText("server_error");
    }
    ResponsesToOpenAi.named(response, deploymentId);
    named = true;
    boolean running = RUNNING.contains(response.path("status").asText(""));
    runningResponse = running && response.path("background").asBoolean(false) ? response.path("id").asText(null)
        : null;
    try {
      return ResponsesToOpenAi.JSON.writeValueAsString(json);
    } catch (IOException impossible) {
      throw new IllegalStateException("a JSON tree always serialises", impossible);
    }
  }

  private void tooLarge() {
    done = true;
    errorType = "server_error";
    out.appendString(GatewayError.upstreamUnreachable("The upstream model sent an event too large to relay.")
        .toResponsesErrorEvent());
  }

  private Buffer drain() {
    Buffer frames = out;
    out = Buffer.buffer();
    return frames;
  }

  @Override
  public boolean done() {
    return done;
  }

  @Override
  public TokenUsage usage() {
    return usage;
  }

  @Override
  public String errorType() {
    return errorType;
  }

  @Override
  public String contentType() {
    return null;
  }

  @Override
  public String runningResponse() {
    return runningResponse;
  }

  @Override
  public boolean awaitingResponseId() {
    return background && !named && !done;
  }
}
