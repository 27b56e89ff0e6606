package dev.affinity.router.cache;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.Map;

/**
 * OpenAI Chat Completions requests of an agent: 6 function tools, a long system prompt (about 1,500 estimated tokens,
 * three chunks of 512), then turns. Turn {@code k} is a user message, the assistant's tool call, the tool's result and
 * the assistant's answer; request {@code n} holds turns {@code 0..n-1} and the user message of turn {@code n}, so
 * each request is the previous one plus four messages.
 */
final class ChatConversation {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String MODEL = "gpt-4.1";
  static final int TOOLS = 6;
  static final String SYSTEM_PROMPT =
      "You are a coding agent. Read the code before changing it, and keep changes small. ".repeat(72);

  private boolean stringContent = true;
  private String editedTurnOneTask;
  private String editedToolDescription;
  private String promptCacheKey;
  private final Map<Integer, Integer> toolOutputChars = new HashMap<>();

  /** Message contents as one-part lists instead of strings. */
  ChatConversation partsContent() {
    stringContent = false;
    return this;
  }

  /** A different task text in turn 1. */
  ChatConversation editTurnOne(String task) {
    editedTurnOneTask = task;
    return this;
  }

  /** A different description of the first tool. */
  ChatConversation editFirstTool(String description) {
    editedToolDescription = description;
    return this;
  }

  ChatConversation promptCacheKey(String key) {
    promptCacheKey = key;
    return this;
  }

  /** A tool result of {@code chars} characters in turn {@code turn}. */
  ChatConversation toolOutput(int turn, int chars) {
    toolOutputChars.put(turn, chars);
    return this;
  }

  ObjectNode request(int turn) {
    ObjectNode request = JSON.createObjectNode();
    request.put("model", MODEL);
    request.put("stream", true);
    request.putObject("stream_options").put("include_usage", true);
    if (promptCacheKey != null) {
      request.put("prompt_cache_key", promptCacheKey);
    }
    ArrayNode tools = request.putArray("tools");
    for (int t = 0; t < TOOLS; t++) {
      ObjectNode function = tools.addObject().put("type", "function").putObject("function");
      function.put("name", "tool_" + t);
      function.put("description", t == 0 && editedToolDescription != null ? editedToolDescription
          : ("Tool " + t + " reads, searches or edits files in the workspace. ").repeat(3));
      ObjectNode parameters = function.putObject("parameters").put("type", "object");
      parameters.putObject("properties").putObject("path").put("type", "string");
      parameters.putArray("required").add("path");
    }
    ArrayNode messages = request.putArray("messages");
    content(messages.addObject().put("role", "system"), SYSTEM_PROMPT);
    for (int k = 0; k <= turn; k++) {
      String task = k == 1 && editedTurnOneTask != null ? editedTurnOneTask
          : "Task " + k + ": look at the failing test and fix the cause, not the symptom.";
      content(messages.addObject().put("role", "user"), task);
      if (k == turn) {
        break;
      }
      ObjectNode call = messages.addObject().put("role", "assistant");
      call.putNull("content");
      ObjectNode toolCall = call.putArray("tool_calls").addObject().put("id", "call_" + k).put("type", "function");
      toolCall.putObject("function").put("name", "tool_0").put("arguments", "{\"path\":\"/src/File" + k + ".java\"}");
      ObjectNode result = messages.addObject().put("role", "tool").put("tool_call_id", "call_" + k);
      int chars = toolOutputChars.getOrDefault(k, 0);
      content(result, chars > 0 ? "x".repeat(chars) : ("contents of /src/File" + k + ".java\n").repeat(10));
      content(messages.addObject().put("role", "assistant"), "Fixed File" + k + ".");
    }
    return request;
  }

  private void content(ObjectNode message, String text) {
    if (stringContent) {
      message.put("content", text);
    } else {
      message.putArray("content").addObject().put("type", "text").put("text", text);
    }
  }
}
