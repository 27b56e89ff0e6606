package dev.affinity.emulator.workload;

import static dev.affinity.emulator.workload.AgentWorkload.JSON;
import static dev.affinity.emulator.workload.AgentWorkload.NODES;
import static dev.affinity.emulator.workload.AgentWorkload.ephemeral;
import static dev.affinity.emulator.workload.AgentWorkload.textBlock;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.affinity.emulator.ThinkingSignature;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * One agent conversation. Each {@link #nextTurn} behaves like the agent CLI between two requests: the reply is
 * appended, a new user message follows, the moving cache marker jumps to it, and the previous user message, if it
 * was a single text block, is re-sent as a plain string.
 *
 * <p>Not thread-safe: one turn at a time.
 */
public final class Session {

  private static final String[] TOOL_CALLS = {"Read", "Grep", "Bash", "Glob"};

  private final String id;
  private final String tenant;
  private final String project;
  private final String model;
  private final ArrayNode tools;
  private final ArrayNode system;
  private final Prose prose;
  private final String userId;
  private final ArrayNode messages = NODES.arrayNode();
  private int turn = 1;

  Session(String id, String tenant, String project, String model, ArrayNode tools, ArrayNode system, Prose prose) {
    this.id = id;
    this.tenant = tenant;
    this.project = project;
    this.model = model;
    this.tools = tools;
    this.system = system;
    this.prose = prose;
    this.userId = "user_" + prose.hex(64) + "_account__session_" + uuid();
    openConversation();
  }

  public String id() {
    return id;
  }

  public String tenant() {
    return tenant;
  }

  /** 1 for the first request, incremented by every {@link #nextTurn}. */
  public int turn() {
    return turn;
  }

  /** The request for the current turn, serialized with a stable field order. */
  public byte[] request(boolean stream) {
    ObjectNode request = NODES.objectNode();
    request.put("model", model);
    request.set("messages", messages);
    request.set("system", system);
    request.set("tools", tools);
    request.putObject("metadata").put("user_id", userId);
    request.put("max_tokens", AgentWorkload.MAX_TOKENS);
    request.putObject("thinking").put("type", "enabled").put("budget_tokens", AgentWorkload.THINKING_BUDGET_TOKENS);
    request.putObject("context_management").putArray("edits").addObject()
        .put("type", "clear_thinking_20251015").put("keep", "all");
    request.putObject("output_config").put("effort", "high");
    request.put("stream", stream);
    try {
      return JSON.writeValueAsBytes(request);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e); // cannot happen for a tree of plain nodes
    }
  }

  /** {@link #nextTurn(String, ObjectNode)} for a caller that read only the reply's text. */
  public void nextTurn(String assistantReplyText) {
    nextTurn(assistantReplyText, null);
  }

  /**
   * Appends the assistant's reply and the user's next message. Turns alternate between a tool call (the reply
   * carries a {@code tool_use}, the user answers with its {@code tool_result}) and plain user text. A tool call's
   * reply starts with its thinking, as Claude Code sends it back and Claude requires while thinking.
   *
   * @param assistantReplyText the text the model answered with; blank is replaced by a stand-in because the API
   *     rejects empty text blocks
   * @param thinking the reply's signed thinking block, handed back on a tool call's turn; null when the caller did
   *     not read it: a stand-in is then signed as the emulator signs, which only the emulator accepts
   */
  public void nextTurn(String assistantReplyText, ObjectNode thinking) {
    String reply = assistantReplyText == null || assistantReplyText.isBlank() ? "Done." : assistantReplyText;
    resendPreviousUserMessage();
    turn++;
    ArrayNode assistant = append("assistant");
    if (turn % 2 == 0) {
      assistant.add(thinking != null ? thinking.deepCopy() : standInThinking(reply));
    }
    assistant.add(textBlock(reply));
    ArrayNode user;
    if (turn % 2 == 0) {
      String toolUseId = toolUseId();
      assistant.add(toolUse(toolUseId, prose.pick(TOOL_CALLS)));
      user = append("user");
      user.add(toolResult(toolUseId, prose.between(1200, 2000)));
      user.add(textBlock("<system-reminder>\n" + prose.sentence() + "\n</system-reminder>"));
    } else {
      user = append("user");
      user.add(textBlock(prose.paragraph(prose.between(20, 50))));
    }
    ((ObjectNode) user.get(0)).set("cache_control", ephemeral());
  }

  /**
   * The CLI drops the marker from what was the last message and, when that message was one text block, sends it
   * back as a plain string. A single block only: joining several blocks would change the content itself, not just
   * its form.
   */
  private void resendPreviousUserMessage() {
    ObjectNode previous = (ObjectNode) messages.get(messages.size() - 1);
    ArrayNode content = (ArrayNode) previous.get("content");
    ((ObjectNode) content.get(0)).remove("cache_control");
    if (content.size() == 1 && "text".equals(content.get(0).path("type").asText())) {
      previous.set("content", TextNode.valueOf(content.get(0).get("text").asText()));
    }
  }

  /** A resumed conversation: a file was read, the IDE interjected with a system message, the user follows up. */
  private void openConversation() {
    append("user")
        .add(textBlock("<system-reminder>\nAs you answer the user's questions, you can use the following context:\n"
            + prose.paragraph(prose.between(60, 90)) + "\n</system-reminder>"))
        .add(textBlock(prose.paragraph(prose.between(30, 60))));
    String toolUseId = toolUseId();
    append("assistant")
        .add(textBlock(prose.sentence()))
        .add(toolUse(toolUseId, "Read"));
    append("user").add(toolResult(toolUseId, prose.between(1500, 2500)));
    ObjectNode interjection = messages.addObject();
    interjection.put("role", "system");
    interjection.put("content", "The user opened " + sourceFile() + " in the IDE. " + prose.paragraph(20));
    append("assistant").add(textBlock(prose.paragraph(prose.between(40, 80))));
    ArrayNode last = append("user");
    last.add(textBlock(prose.paragraph(prose.between(20, 50))));
    ((ObjectNode) last.get(0)).set("cache_control", ephemeral());
  }

  private static ObjectNode standInThinking(String reply) {
    String thinking = "Thinking about: " + reply;
    return NODES.objectNode().put("type", "thinking").put("thinking", thinking)
        .put("signature", ThinkingSignature.of(thinking));
  }

  private ArrayNode append(String role) {
    ObjectNode message = messages.addObject();
    message.put("role", role);
    return message.putArray("content");
  }

  private ObjectNode toolUse(String toolUseId, String tool) {
    ObjectNode block = NODES.objectNode();
    block.put("type", "tool_use");
    block.put("id", toolUseId);
    block.put("name", tool);
    ObjectNode input = block.putObject("input");
    switch (tool) {
      case "Read" -> input.put("file_path", sourceFile());
      case "Grep" -> input.put("pattern", prose.identifier()).put("path", "/home/dev/" + project + "/src")
          .put("output_mode", "content").put("-n", true);
      case "Bash" -> input.put("command", "mvn -q test -Dtest=" + capitalized(prose.identifier()) + "Test")
          .put("description", "Run the tests of the module");
      case "Glob" -> input.put("pattern", "**/*" + capitalized(prose.identifier()) + "*.java");
      default -> throw new IllegalArgumentException(tool);
    }
    return block;
  }

  /** A tool result that reads like numbered file content, about {@code minChars} long. */
  private ObjectNode toolResult(String toolUseId, int minChars) {
    StringBuilder lines = new StringBuilder();
    for (int line = 1; lines.length() < minChars; line++) {
      lines.append(String.format(Locale.ROOT, "%6d\t", line)).append(prose.sentence()).append('\n');
    }
    ObjectNode block = NODES.objectNode();
    block.put("type", "tool_result");
    block.put("tool_use_id", toolUseId);
    block.put("content", lines.toString());
    return block;
  }

  private String sourceFile() {
    return "/home/dev/" + project + "/src/main/java/" + capitalized(prose.identifier()) + ".java";
  }

  private String toolUseId() {
    return "toolu_01" + prose.alphanumeric(22);
  }

  private String uuid() {
    String hex = prose.hex(32);
    return hex.substring(0, 8) + '-' + hex.substring(8, 12) + '-' + hex.substring(12, 16) + '-'
        + hex.substring(16, 20) + '-' + hex.substring(20);
  }

  private static String capitalized(String word) {
    return Character.toUpperCase(word.charAt(0)) + word.substring(1);
  }

  @Override
  public String toString() {
    return "Session[" + id + ", turn " + turn + "]";
  }
}
