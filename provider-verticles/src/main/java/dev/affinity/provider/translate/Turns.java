package dev.affinity.provider.translate;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.List;

/**
 * Anthropic's {@code messages} under construction. The Messages API wants user and assistant turns to alternate,
 * while an OpenAI conversation may hold several user messages in a row, or an assistant message followed by one
 * {@code tool} message per call: blocks of the same role as the previous turn join that turn.
 */
final class Turns {

  private final ArrayNode messages = JsonNodeFactory.instance.arrayNode();
  private String lastRole;
  private ArrayNode lastContent;

  /** Appends one OpenAI message's blocks; a message that translated to nothing leaves no trace. */
  void add(String role, List<ObjectNode> blocks) {
    if (blocks.isEmpty()) {
      return;
    }
    if (!role.equals(lastRole)) {
      lastRole = role;
      lastContent = JsonNodeFactory.instance.arrayNode(blocks.size());
      messages.addObject().put("role", role).set("content", lastContent);
    }
    lastContent.addAll(blocks);
  }

  boolean isEmpty() {
    return messages.isEmpty();
  }

  /**
   * The finished list. A conversation that ends on an assistant turn asks Claude to continue that text (prefill),
   * and the API refuses a prefill that ends in whitespace: it is trimmed, as the model would not have produced it.
   */
  ArrayNode messages() {
    if ("assistant".equals(lastRole)) {
      ObjectNode last = (ObjectNode) lastContent.get(lastContent.size() - 1);
      if ("text".equals(last.path("type").asText())) {
        String text = last.path("text").asText();
        String trimmed = text.stripTrailing();
        if (trimmed.isEmpty()) {
          lastContent.remove(lastContent.size() - 1);
          if (lastContent.isEmpty()) {
            messages.remove(messages.size() - 1);
            lastRole = null;
          }
        } else if (trimmed.length() != text.length()) {
          last.set("text", TextNode.valueOf(trimmed));
        }
      }
    }
    return messages;
  }
}
