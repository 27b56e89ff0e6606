package dev.affinity.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.affinity.model.GatewayError;
import dev.affinity.model.TokenUsage;
import dev.affinity.provider.translate.StreamDecoder;
import io.vertx.core.buffer.Buffer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Gemini's streamed answer ({@code streamGenerateContent?alt=sse}: one {@code data:} line per
 * {@code GenerateContentResponse}) as Anthropic's event stream, so that the usage tap, the OpenAI translation and the
 * client all see what an Anthropic upstream would send: {@code message_start} with the prompt's usage, a text block
 * growing with each text part, a complete {@code tool_use} block per function call (Gemini sends calls whole),
 * then {@code message_delta} with the stop reason and cumulative usage, and {@code message_stop}.
 *
 * <p>A stream that ends without a finish reason was cut short: it ends with an {@code error} event, as does an error
 * Gemini reports in the stream. Holds at most one line in progress, bounded by {@link #MAX_LINE}.
 */
public final class GeminiEventStream implements StreamDecoder {

  static final int MAX_LINE = 16 << 20;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final String model;
  private final String deploymentId;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream(1024);
  private boolean afterCr;
  private boolean started;
  private boolean textOpen;
  private int nextIndex;
  private boolean calledTool;
  private String finishReason;
  private TokenUsage usage = TokenUsage.NONE;
  private boolean done;

  /** @param model the model the client asked for, named in {@code message_start} */
  public GeminiEventStream(String model, String deploymentId) {
    this.model = model;
    this.deploymentId = deploymentId;
  }

  @Override
  public Buffer chunk(Buffer upstream) {
    StringBuilder out = new StringBuilder();
    byte[] bytes = upstream.getBytes();
    for (int i = 0; i < bytes.length && !done; i++) {
      byte b = bytes[i];
      if (b == '\n' && afterCr) {
        afterCr = false;
        continue;
      }
      afterCr = b == '\r';
      if (b == '\n' || b == '\r') {
        onLine(line.toString(StandardCharsets.UTF_8), out);
        line.reset();
      } else if (line.size() >= MAX_LINE) {
        fail("api_error", "Gemini sent an event too large to relay.", out);
      } else {
        line.write(b);
      }
    }
    return Buffer.buffer(out.toString());
  }

  @Override
  public Buffer end() {
    if (done) {
      return null;
    }
    StringBuilder out = new StringBuilder();
    if (line.size() > 0) {
      onLine(line.toString(StandardCharsets.UTF_8), out);
      line.reset();
    }
    if (done) {
      return Buffer.buffer(out.toString());
    }
    if (finishReason == null) {
      fail("api_error", "deployment " + deploymentId + ": the Gemini stream ended before the answer was complete.",
          out);
      return Buffer.buffer(out.toString());
    }
    closeText(out);
    ObjectNode delta = NODES.objectNode().put("type", "message_delta");
    delta.putObject("delta").put("stop_reason", GeminiToAnthropic.stopReason(finishReason, calledTool))
        .putNull("stop_sequence");
    delta.set("usage", GeminiToAnthropic.usageJson(usage));
    event("message_delta", delta, out);
    event("message_stop", NODES.objectNode().put("type", "message_stop"), out);
    done = true;
    return Buffer.buffer(out.toString());
  }

  @Override
  public boolean done() {
    return done;
  }

  private void onLine(String text, StringBuilder out) {
    if (done || !text.startsWith("data:")) {
      return;
    }
    JsonNode response;
    try {
      response = JSON.readTree(text.substring(5).trim());
    } catch (IOException malformed) {
      fail("api_error", "deployment " + deploymentId + ": Gemini sent an event that is not JSON.", out);
      return;
    }
    if (response.path("error").isObject()) {
      GatewayError error = GeminiToAnthropic.error(0, response, deploymentId);
      fail(error.type(), error.message(), out);
      return;
    }
    if (response.path("usageMetadata").isObject()) {
      usage = GeminiToAnthropic.usage(response.get("usageMetadata"));
    }
    if (!started) {
      start(response, out);
    }
    JsonNode candidate = GeminiToAnthropic.firstCandidate(response);
    for (JsonNode part : candidate.path("content").path("parts")) {
      if (part.path("text").isTextual() && !part.path("thought").asBoolean()) {
        text(part.get("text").asText(), out);
      } else if (part.path("functionCall").isObject()) {
        toolUse(part.get("functionCall"), out);
      }
    }
    if (candidate.path("finishReason").isTextual()) {
      finishReason = candidate.get("finishReason").asText();
    } else if (candidate.isMissingNode() && response.path("promptFeedback").has("blockReason")) {
      finishReason = "SAFETY";
    }
  }

  private void start(JsonNode response, StringBuilder out) {
    started = true;
    ObjectNode message = NODES.objectNode()
        .put("id", "msg_" + response.path("responseId").asText(UUID.randomUUID().toString().replace("-", "")))
        .put("type", "message").put("role", "assistant").put("model", model);
    message.putArray("content");
    message.putNull("stop_reason").putNull("stop_sequence");
    TokenUsage prompt = new TokenUsage(usage.inputTokens(), 0, 0, 0, usage.cacheReadInputTokens(), 0);
    message.set("usage", GeminiToAnthropic.usageJson(prompt));
    ObjectNode event = NODES.objectNode().put("type", "message_start");
    event.set("message", message);
    event("message_start", event, out);
  }

  private void text(String text, StringBuilder out) {
    if (text.isEmpty()) {
      return;
    }
    if (!textOpen) {
      ObjectNode open = NODES.objectNode().put("type", "content_block_start").put("index", nextIndex);
      open.putObject("content_block").put("type", "text").put("text", "");
      event("content_block_start", open, out);
      textOpen = true;
    }
    ObjectNode delta = NODES.objectNode().put("type", "content_block_delta").put("index", nextIndex);
    delta.putObject("delta").put("type", "text_delta").put("text", text);
    event("content_block_delta", delta, out);
  }

  private void closeText(StringBuilder out) {
    if (textOpen) {
      stopBlock(out);
      textOpen = false;
    }
  }

  private void toolUse(JsonNode functionCall, StringBuilder out) {
    closeText(out);
    calledTool = true;
    ObjectNode block = GeminiToAnthropic.toolUse(functionCall);
    JsonNode input = block.remove("input");
    block.set("input", NODES.objectNode());
    ObjectNode open = NODES.objectNode().put("type", "content_block_start").put("index", nextIndex);
    open.set("content_block", block);
    event("content_block_start", open, out);
    ObjectNode delta = NODES.objectNode().put("type", "content_block_delta").put("index", nextIndex);
    delta.putObject("delta").put("type", "input_json_delta").put("partial_json", input.toString());
    event("content_block_delta", delta, out);
    stopBlock(out);
  }

  private void stopBlock(StringBuilder out) {
    event("content_block_stop", NODES.objectNode().put("type", "content_block_stop").put("index", nextIndex), out);
    nextIndex++;
  }

  private void fail(String type, String message, StringBuilder out) {
    ObjectNode error = NODES.objectNode().put("type", "error");
    error.putObject("error").put("type", type).put("message", message);
    event("error", error, out);
    done = true;
  }

  private static void event(String name, JsonNode data, StringBuilder out) {
    out.append("event: ").append(name).append('\n').append("data: ").append(data).append("\n\n");
  }
}
