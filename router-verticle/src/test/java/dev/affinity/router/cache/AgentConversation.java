package dev.affinity.router.cache;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Requests shaped like an agent CLI's (see the design note): 12 tools, {@code system} as 3 blocks with markers on
 * the 2nd and 3rd, a {@code system}-role message in the middle of the list, fields the gateway does not know, and a
 * marker on the first block of the last message, which moves forward turn after turn.
 *
 * <p>Turn {@code k} is a user message ({@code tool_result} of the previous turn's tool call, if any, then the task
 * text) followed by the assistant's answer (text and a {@code tool_use}); request {@code n} holds turns
 * {@code 0..n-1} and the user message of turn {@code n}.
 */
final class AgentConversation {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String MODEL = "claude-sonnet-4-5-20250929";
  static final int TOOLS = 12;
  static final int SYSTEM_BLOCKS = 3;
  /** Index of the {@code system}-role message: after the second turn. */
  static final int SYSTEM_MESSAGE_AFTER_TURN = 1;

  private boolean firstTurnAsString;
  private String editedTurnOneTask;
  private String editedToolDescription;
  private String lastTask;

  /** The first user message as a plain string instead of a one-block list. */
  AgentConversation firstTurnAsString() {
    firstTurnAsString = true;
    return this;
  }

  /** A different task text in turn 1. */
  AgentConversation editTurnOne(String task) {
    editedTurnOneTask = task;
    return this;
  }

  /** A different description of the first tool. */
  AgentConversation editFirstTool(String description) {
    editedToolDescription = description;
    return this;
  }

  /** A different task text in the last user message. */
  AgentConversation lastTask(String task) {
    lastTask = task;
    return this;
  }

  ObjectNode request(int turn) {
    ObjectNode request = JSON.createObjectNode();
    request.put("model", MODEL);
    request.put("max_tokens", 32000);
    request.put("stream", true);
    ArrayNode tools = request.putArray("tools");
    for (int t = 0; t < TOOLS; t++) {
      ObjectNode tool = tools.addObject();
      tool.put("name", "Tool" + t);
      tool.put("description", t == 0 && editedToolDescription != null ? editedToolDescription
          : ("Tool " + t + " reads, searches or edits files in the workspace. ").repeat(8));
      ObjectNode schema = tool.putObject("input_schema");
      schema.put("type", "object");
      schema.putObject("properties").putObject("path").put("type", "string").put("description", "absolute path");
      schema.putArray("required").add("path");
    }
    ArrayNode system = request.putArray("system");
    system.addObject().put("type", "text").put("text", "x-anthropic-billing-header: cc_version=2.0.14");
    system.addObject().put("type", "text")
        .put("text", "You are an interactive CLI agent that helps users with software engineering tasks. ".repeat(40))
        .set("cache_control", marker());
    system.addObject().put("type", "text")
        .put("text", "# CLAUDE.md\nProject conventions: Java 17, Vert.x 5, never block the event loop.\n".repeat(40))
        .set("cache_control", marker());
    ArrayNode messages = request.putArray("messages");
    for (int k = 0; k <= turn; k++) {
      ObjectNode user = messages.addObject().put("role", "user");
      String task = k == 1 && editedTurnOneTask != null ? editedTurnOneTask
          : k == turn && lastTask != null ? lastTask
          : "Task " + k + ": look at the failing test and fix the cause, not the symptom.";
      if (k == 0 && firstTurnAsString) {
        user.put("content", task);
      } else {
        ArrayNode content = user.putArray("content");
        if (k > 0) {
          content.addObject().put("type", "tool_result").put("tool_use_id", "toolu_" + (k - 1))
              .put("content", ("contents of /src/File" + (k - 1) + ".java\n").repeat(20));
        }
        content.addObject().put("type", "text").put("text", task);
        if (k == turn) {
          ((ObjectNode) content.get(0)).set("cache_control", marker());
        }
      }
      if (k == turn) {
        break;
      }
      ObjectNode assistant = messages.addObject().put("role", "assistant");
      ArrayNode answer = assistant.putArray("content");
      answer.addObject().put("type", "text").put("text", "I will read File" + k + " first.");
      ObjectNode use = answer.addObject().put("type", "tool_use").put("id", "toolu_" + k).put("name", "Tool0");
      use.putObject("input").put("path", "/src/File" + k + ".java");
      if (k == SYSTEM_MESSAGE_AFTER_TURN) {
        messages.addObject().put("role", "system").put("content", "Reminder: the todo list is empty.");
      }
    }
    request.putObject("thinking").put("type", "enabled").put("budget_tokens", 8000);
    request.putObject("context_management").putArray("edits").addObject().put("type", "clear_tool_uses_20250919");
    request.putObject("metadata").put("user_id", "user_abc_account_def_session_123");
    request.putObject("output_config").put("effort", "high");
    return request;
  }

  /** Blocks before the messages. */
  static int preambleBlocks() {
    return TOOLS + SYSTEM_BLOCKS;
  }

  static ObjectNode marker() {
    return JSON.createObjectNode().put("type", "ephemeral");
  }

  static ObjectNode marker(CacheTtl ttl) {
    return marker().put("ttl", ttl.wireValue());
  }
}
