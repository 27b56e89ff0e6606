package dev.affinity.emulator;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A test's instruction to the emulated model to call a tool of its own accord, written in a user message:
 * {@code [[emulator:tool NAME {"input":"json"}]]}. The emulated model has no judgement: without this it calls a tool
 * only when {@code tool_choice} forces one, and an agent's tool loop (the model calls a tool, the client runs it and
 * sends the result, the model goes on) could not be played. Several directives in one user message are followed one
 * per assistant turn after it, so a loop of several steps is played to its end; after the last the model answers in
 * text. A directive naming a tool the request does not offer is ignored, as a model cannot call it.
 *
 * @param name  the tool to call
 * @param input the call's input (Anthropic's {@code input}, OpenAI's {@code arguments})
 */
record ToolDirective(String name, JsonObject input) {

  static final String MARK = "[[emulator:tool ";
  private static final Pattern DIRECTIVE = Pattern.compile(Pattern.quote(MARK)
      + "([A-Za-z0-9_.:-]{1,128})\\s+(\\{.*?\\})\\]\\]", Pattern.DOTALL);

  /**
   * The directive for the next assistant turn: the user message with directives that is the latest in
   * {@code messages}, its directive numbered by the assistant turns since it, when the request offers that tool.
   *
   * @param messages the request's messages in any of the APIs' forms (a user message's text is a string or text
   *                 parts; a Responses conversation's function calls count as the model's turns)
   * @param offered  whether the request offers a tool of this name
   */
  static ToolDirective next(JsonArray messages, Predicate<String> offered) {
    int assistantTurns = 0;
    for (int i = messages.size() - 1; i >= 0; i--) {
      if (!(messages.getValue(i) instanceof JsonObject message)) {
        continue;
      }
      // a Responses conversation holds the model's calls as items of their own
      if ("assistant".equals(message.getValue("role")) || "function_call".equals(message.getValue("type"))) {
        assistantTurns++;
        continue;
      }
      String said = "user".equals(message.getValue("role")) ? textOf(message.getValue("content")) : null;
      if (said == null || !said.contains(MARK)) {
        continue;
      }
      List<ToolDirective> directives = all(said);
      if (assistantTurns >= directives.size()) {
        return null;
      }
      ToolDirective next = directives.get(assistantTurns);
      return offered.test(next.name()) ? next : null;
    }
    return null;
  }

  /** Every well-formed directive in {@code text}, in order; one whose input is not a JSON object is skipped. */
  static List<ToolDirective> all(String text) {
    List<ToolDirective> directives = new ArrayList<>();
    Matcher matcher = DIRECTIVE.matcher(text);
    while (matcher.find()) {
      try {
        directives.add(new ToolDirective(matcher.group(1), new JsonObject(matcher.group(2))));
      } catch (DecodeException | ClassCastException notAnObject) {
        // not a directive a test meant: the model reads it as text
      }
    }
    return directives;
  }

  /** The text of a message's content: a string, or its {@code text} parts joined (other parts left out). */
  private static String textOf(Object content) {
    if (content instanceof String string) {
      return string;
    }
    if (!(content instanceof JsonArray parts)) {
      return "";
    }
    StringBuilder text = new StringBuilder();
    for (Object part : parts) {
      if (part instanceof JsonObject block && block.getValue("text") instanceof String piece) {
        text.append(piece).append('\n');
      }
    }
    return text.toString();
  }
}
