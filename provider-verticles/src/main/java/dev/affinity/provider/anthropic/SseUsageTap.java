package dev.affinity.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.model.TokenUsage;
import io.vertx.core.buffer.Buffer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Watches an Anthropic SSE stream go by and keeps the usage it reports ({@code message_start} and the cumulative
 * {@code message_delta}) and any {@code error} event. It never changes or holds back the bytes: chunks are split
 * into lines only to look at them, and a line longer than {@link #MAX_LINE} is skipped rather than buffered.
 */
final class SseUsageTap {

  static final int MAX_LINE = 1 << 20;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
  private boolean lineTooLong;
  private String event = "";
  private TokenUsage usage = TokenUsage.NONE;
  private String errorType;

  void feed(Buffer chunk) {
    int length = chunk.length();
    for (int i = 0; i < length; i++) {
      byte b = chunk.getByte(i);
      if (b == '\n') {
        if (!lineTooLong) {
          onLine(line.toString(StandardCharsets.UTF_8));
        }
        line.reset();
        lineTooLong = false;
      } else if (b != '\r' && !lineTooLong) {
        if (line.size() >= MAX_LINE) {
          lineTooLong = true;
          line.reset();
        } else {
          line.write(b);
        }
      }
    }
  }

  private void onLine(String text) {
    if (text.isEmpty()) {
      event = "";
    } else if (text.startsWith("event:")) {
      event = text.substring(6).trim();
    } else if (text.startsWith("data:") && interesting(event)) {
      try {
        JsonNode data = JSON.readTree(text.substring(5).trim());
        switch (event) {
          case "message_start" -> usage = AnthropicUsage.merge(usage, data.path("message").path("usage"));
          case "message_delta" -> usage = AnthropicUsage.merge(usage, data.path("usage"));
          case "error" -> errorType = data.path("error").path("type").asText("api_error");
          default -> { }
        }
      } catch (IOException malformed) {
        // not ours to judge: the client receives the bytes as they are
      }
    }
  }

  private static boolean interesting(String event) {
    return event.equals("message_start") || event.equals("message_delta") || event.equals("error");
  }

  TokenUsage usage() {
    return usage;
  }

  /** The error type of an in-stream {@code error} event, or null. */
  String errorType() {
    return errorType;
  }
}
