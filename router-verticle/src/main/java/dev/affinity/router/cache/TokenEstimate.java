package dev.affinity.router.cache;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A cheap token count, good enough to decide whether a prefix reaches a model's minimum cacheable size. It is an
 * estimate, not a tokenizer: about four characters per token for English text and JSON, which errs on the generous
 * side for code and non-Latin text. The upstream emulator counts with the same formula so that tests agree with it:
 * <ul>
 *   <li>a text block: {@code ceil(code points of its text / 4)};</li>
 *   <li>any other block (tool definition, tool use, tool result, image...): {@code ceil(length of its canonical JSON
 *       / 4)}, the canonical JSON being that of {@link CanonicalJson#ofBlock(JsonNode)} (UTF-16 length);</li>
 *   <li>plus {@value #PER_MESSAGE} per message for its role and framing.</li>
 * </ul>
 */
public final class TokenEstimate {

  /** Tokens added once per message (role and turn framing). */
  public static final int PER_MESSAGE = 3;

  private TokenEstimate() {
  }

  /** {@code ceil(chars / 4)}. */
  public static long ofChars(long chars) {
    return (chars + 3) / 4;
  }

  /** The estimate of a text block's text. */
  public static long ofText(String text) {
    return ofChars(text.codePointCount(0, text.length()));
  }

  /** The estimate of one block, without the per-message overhead. */
  public static long ofBlock(JsonNode block) {
    String text = textOf(block);
    return text != null ? ofText(text) : ofChars(CanonicalJson.charCount(block));
  }

  /** The text of a text block, or {@code null} when the block is not a plain text block. */
  static String textOf(JsonNode block) {
    if (block.isTextual()) {
      return block.textValue();
    }
    JsonNode text = block.get("text");
    return text != null && text.isTextual() && "text".equals(block.path("type").textValue()) ? text.textValue() : null;
  }
}
