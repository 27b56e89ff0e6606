package dev.affinity.benchmarks.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.affinity.emulator.workload.AgentWorkload;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Agent-shaped request bodies of about 50 KB: {@link AgentWorkload#agentRequestFixture} for a few seeds (several
 * sessions, so that Affinity pins them to different deployments), as Anthropic Messages bodies and as the same
 * conversation on OpenAI's Chat Completions API (tools as functions, every block as text).
 */
final class Bodies {

  static final int SESSIONS = 8;
  private static final ObjectMapper JSON = new ObjectMapper();

  private Bodies() {
  }

  /** One Messages body per session, with {@code model} and {@code stream} set. */
  static List<Buffer> messages(String model, boolean stream) {
    List<Buffer> bodies = new ArrayList<>();
    for (int seed = 1; seed <= SESSIONS; seed++) {
      ObjectNode body = fixture(seed);
      body.put("model", model);
      body.put("stream", stream);
      bodies.add(bytes(body));
    }
    return bodies;
  }

  /** The same conversations as Chat Completions bodies. */
  static List<Buffer> chat(String model, boolean stream) {
    List<Buffer> bodies = new ArrayList<>();
    for (int seed = 1; seed <= SESSIONS; seed++) {
      ObjectNode fixture = fixture(seed);
      ObjectNode body = JSON.createObjectNode();
      body.put("model", model);
      body.put("stream", stream);
      body.put("max_tokens", 4096);
      ArrayNode tools = body.putArray("tools");
      for (JsonNode tool : fixture.path("tools")) {
        ObjectNode function = tools.addObject().put("type", "function").putObject("function");
        function.put("name", tool.path("name").asText());
        function.put("description", tool.path("description").asText());
        function.set("parameters", tool.path("input_schema"));
      }
      ArrayNode messages = body.putArray("messages");
      messages.addObject().put("role", "system").put("content", text(fixture.path("system")));
      for (JsonNode message : fixture.path("messages")) {
        String role = message.path("role").asText();
        messages.addObject().put("role", role.equals("assistant") ? "assistant" : role.equals("system") ? "system" : "user")
            .put("content", text(message.path("content")));
      }
      bodies.add(bytes(body));
    }
    return bodies;
  }

  private static String text(JsonNode content) {
    if (content.isTextual()) {
      return content.asText();
    }
    StringBuilder text = new StringBuilder();
    for (JsonNode block : content) {
      if (text.length() > 0) {
        text.append("\n\n");
      }
      text.append(block.has("text") ? block.path("text").asText() : block.toString());
    }
    return text.toString();
  }

  private static ObjectNode fixture(long seed) {
    try {
      return (ObjectNode) JSON.readTree(AgentWorkload.agentRequestFixture(seed));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Buffer bytes(JsonNode body) {
    try {
      return Buffer.buffer(JSON.writeValueAsBytes(body));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
