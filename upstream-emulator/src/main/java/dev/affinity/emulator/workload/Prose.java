package dev.affinity.emulator.workload;

import java.util.SplittableRandom;

/**
 * Deterministic filler text drawn from a fixed vocabulary, so that a seed alone reproduces a workload
 * byte for byte (no external corpus, nothing that depends on the machine or the locale).
 */
final class Prose {

  private static final String[] WORDS = {
    "the", "a", "of", "to", "and", "in", "for", "with", "when", "before", "after", "only", "never", "always",
    "file", "files", "path", "directory", "repository", "branch", "commit", "change", "diff", "patch", "test",
    "tests", "build", "module", "package", "class", "method", "function", "interface", "record", "field",
    "value", "values", "request", "response", "header", "body", "stream", "event", "handler", "context",
    "thread", "loop", "buffer", "queue", "cache", "prefix", "token", "tokens", "prompt", "model", "tool",
    "tools", "command", "shell", "output", "input", "error", "errors", "warning", "result", "results",
    "config", "setting", "option", "flag", "default", "user", "session", "tenant", "project", "service",
    "server", "client", "gateway", "route", "router", "deployment", "cluster", "node", "map", "entry",
    "key", "hash", "chain", "block", "marker", "limit", "timeout", "retry", "backoff", "metric", "log",
    "trace", "span", "schema", "type", "string", "number", "list", "object", "array", "parameter",
    "argument", "run", "check", "read", "write", "edit", "search", "find", "replace", "create", "delete",
    "update", "verify", "explain", "describe", "prefer", "avoid", "use", "keep", "make", "ensure", "return",
    "include", "exclude", "follow", "match", "parse", "render", "format", "compile", "install", "deploy",
    "review", "small", "large", "exact", "relevant", "existing", "new", "previous", "current", "next",
    "local", "remote", "shared", "private", "public", "safe", "unsafe", "careful", "concise", "clear",
    "specific", "complete", "partial", "absolute", "relative", "empty", "valid", "invalid", "multiple",
    "single", "each", "every", "other", "same", "different", "first", "last", "quickly", "carefully",
    "directly", "instead", "again", "also", "then", "unless", "because", "while", "where", "which",
    "that", "this", "these", "those", "it", "they", "you", "your", "we", "our", "should", "must", "can",
    "may", "will", "is", "are", "be", "not", "no", "any", "all", "more", "less", "most", "least", "by",
    "from", "on", "at", "as", "into", "over", "under", "between", "without", "within", "across", "per"
  };

  private static final String ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  private static final String HEX = "0123456789abcdef";

  private final SplittableRandom random;

  Prose(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /** Derives an independent seed for a named part of a workload, so parts do not shift each other. */
  static long seedFor(long seed, long... path) {
    long mixed = seed;
    for (long step : path) {
      mixed = new SplittableRandom(mixed * 0x9E3779B97F4A7C15L + step).nextLong();
    }
    return mixed;
  }

  int between(int lowInclusive, int highInclusive) {
    return random.nextInt(lowInclusive, highInclusive + 1);
  }

  <T> T pick(T[] choices) {
    return choices[random.nextInt(choices.length)];
  }

  String word() {
    return WORDS[random.nextInt(WORDS.length)];
  }

  String words(int count) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < count; i++) {
      if (i > 0) {
        text.append(' ');
      }
      text.append(word());
    }
    return text.toString();
  }

  String sentence() {
    String words = words(between(6, 16));
    return Character.toUpperCase(words.charAt(0)) + words.substring(1) + '.';
  }

  /** Sentences until at least {@code minWords} words have been written. */
  String paragraph(int minWords) {
    StringBuilder text = new StringBuilder();
    int written = 0;
    while (written < minWords) {
      String sentence = sentence();
      if (text.length() > 0) {
        text.append(' ');
      }
      text.append(sentence);
      written += sentence.split(" ").length;
    }
    return text.toString();
  }

  /** Paragraphs until the text is at least {@code minChars} long. */
  String text(int minChars) {
    StringBuilder text = new StringBuilder();
    while (text.length() < minChars) {
      if (text.length() > 0) {
        text.append("\n\n");
      }
      text.append(paragraph(between(40, 90)));
    }
    return text.toString();
  }

  /** A camelCase identifier, for file and symbol names. */
  String identifier() {
    String first = word();
    String second = word();
    return first + Character.toUpperCase(second.charAt(0)) + second.substring(1);
  }

  String alphanumeric(int length) {
    return draw(ALPHANUMERIC, length);
  }

  String hex(int length) {
    return draw(HEX, length);
  }

  private String draw(String alphabet, int length) {
    char[] chars = new char[length];
    for (int i = 0; i < length; i++) {
      chars[i] = alphabet.charAt(random.nextInt(alphabet.length()));
    }
    return new String(chars);
  }
}
