package dev.affinity.emulator;

/**
 * The emulator's deterministic token counter. Not Claude's tokenizer: a fixed, documented formula, so that tests
 * and benchmarks can predict every usage number exactly.
 *
 * <ul>
 *   <li>a text block counts {@code ceil(characters / 4)} of its text (characters = Unicode code points);</li>
 *   <li>any other block (tool definition, tool_use, tool_result, image, ...) counts
 *       {@code ceil(length of its canonical JSON / 4)}, {@code cache_control} left out;</li>
 *   <li>each message adds {@value #PER_MESSAGE} tokens.</li>
 * </ul>
 */
public final class TokenCount {

  /** Overhead of one message (role and separators), added once per message. */
  public static final int PER_MESSAGE = 3;

  private TokenCount() {
  }

  /** Tokens of the text of a text block. */
  public static int ofText(String text) {
    return ceilQuarter(text.codePointCount(0, text.length()));
  }

  /** Tokens of a non-text block, given its canonical JSON. */
  public static int ofCanonicalJson(String canonicalJson) {
    return ceilQuarter(canonicalJson.length());
  }

  private static int ceilQuarter(int length) {
    return (length + 3) / 4;
  }
}
