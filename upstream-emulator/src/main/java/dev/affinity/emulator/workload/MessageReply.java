package dev.affinity.emulator.workload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;

/**
 * What the replay needs from one Messages API answer: usage, the assistant's text and its signed thinking (they feed
 * the next turn), and the error type when the answer is an error, including an {@code error} event in the middle of a
 * stream.
 *
 * @param thinking the answer's first {@code thinking} block ({@code type}, {@code thinking}, {@code signature}), or
 *                 null when it has none
 */
public record MessageReply(Usage usage, String text, String errorType, ObjectNode thinking) {

  /** An answer without thinking. */
  public MessageReply(Usage usage, String text, String errorType) {
    this(usage, text, errorType, null);
  }

  public boolean failed() {
    return errorType != null;
  }

  private static ObjectNode thinkingBlock(String thinking, String signature) {
    return AgentWorkload.NODES.objectNode().put("type", "thinking").put("thinking", thinking)
        .put("signature", signature);
  }

  /** A non-streaming answer: a {@code message} object, or an error object. */
  public static MessageReply fromMessage(byte[] body) {
    JsonNode message;
    try {
      message = AgentWorkload.JSON.readTree(body);
    } catch (IOException e) {
      return new MessageReply(Usage.ZERO, "", "invalid_json");
    }
    if (message == null || !message.isObject()) {
      return new MessageReply(Usage.ZERO, "", "invalid_json");
    }
    if (message.has("error") || "error".equals(message.path("type").asText())) {
      return new MessageReply(Usage.ZERO, "", errorType(message));
    }
    StringBuilder text = new StringBuilder();
    ObjectNode thinking = null;
    for (JsonNode block : message.path("content")) {
      if ("text".equals(block.path("type").asText())) {
        text.append(block.path("text").asText());
      } else if (thinking == null && "thinking".equals(block.path("type").asText())) {
        thinking = thinkingBlock(block.path("thinking").asText(), block.path("signature").asText());
      }
    }
    return new MessageReply(Usage.fromJson(message.path("usage")), text.toString(), null, thinking);
  }

  /**
   * A streamed answer ({@code text/event-stream}). Usage starts with {@code message_start} and every
   * {@code message_delta} overwrites the fields it carries, since its counts are totals so far, not increments.
   * A stream that ends without {@code message_stop} counts as failed ({@code incomplete_stream}).
   */
  public static MessageReply fromEventStream(BufferedReader events) throws IOException {
    Usage usage = Usage.ZERO;
    StringBuilder text = new StringBuilder();
    StringBuilder thinking = new StringBuilder();
    String signature = null;
    String errorType = null;
    boolean stopped = false;
    StringBuilder data = new StringBuilder();
    String line;
    // An event ends at a blank line; one cut off by the end of the stream is dropped, as the SSE spec says.
    while ((line = events.readLine()) != null) {
      if (line.startsWith("data:")) {
        // Several data lines make one payload, joined with newlines.
        if (data.length() > 0) {
          data.append('\n');
        }
        data.append(line.startsWith("data: ") ? line.substring(6) : line.substring(5));
        continue;
      }
      // "event:" repeats the type found in the data; comments, "id:" and "retry:" do not matter here.
      if (!line.isEmpty() || data.length() == 0) {
        continue;
      }
      JsonNode event = parseEvent(data.toString());
      data.setLength(0);
      switch (event.path("type").asText()) {
        case "message_start" -> usage = usage.overwrittenBy(event.path("message").path("usage"));
        case "message_delta" -> usage = usage.overwrittenBy(event.path("usage"));
        case "content_block_delta" -> {
          JsonNode delta = event.path("delta");
          switch (delta.path("type").asText()) {
            case "text_delta" -> text.append(delta.path("text").asText());
            // the first thinking block only: its signature closes it
            case "thinking_delta" -> {
              if (signature == null) {
                thinking.append(delta.path("thinking").asText());
              }
            }
            case "signature_delta" -> signature = signature == null ? delta.path("signature").asText() : signature;
            default -> { }
          }
        }
        case "message_stop" -> stopped = true;
        case "error" -> errorType = errorType(event);
        case "" -> errorType = errorType == null ? "invalid_event" : errorType;
        default -> { } // ping, content_block_start/stop carry nothing the replay counts
      }
    }
    if (errorType == null && !stopped) {
      errorType = "incomplete_stream"; // a relay that drops the tail must not pass for a good answer
    }
    return new MessageReply(usage, text.toString(), errorType,
        signature == null ? null : thinkingBlock(thinking.toString(), signature));
  }

  /** The error type of an Anthropic (or OpenAI-style) error body, {@code "unknown"} when there is none. */
  public static String errorType(byte[] body) {
    try {
      JsonNode error = AgentWorkload.JSON.readTree(body);
      return error == null ? "unknown" : errorType(error);
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static String errorType(JsonNode error) {
    String type = error.path("error").path("type").asText("");
    return type.isEmpty() ? "unknown" : type;
  }

  private static JsonNode parseEvent(String data) {
    try {
      JsonNode event = AgentWorkload.JSON.readTree(data);
      return event == null ? AgentWorkload.NODES.objectNode() : event;
    } catch (IOException e) {
      return AgentWorkload.NODES.objectNode();
    }
  }
}
