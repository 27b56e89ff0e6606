package dev.affinity.emulator;

import java.util.concurrent.ThreadLocalRandom;

/** Identifiers shaped like Anthropic's: {@code req_...}, {@code msg_...}, {@code toolu_...}. */
final class AnthropicIds {

  private static final char[] BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

  private AnthropicIds() {
  }

  static String request() {
    return "req_011" + random(21);
  }

  static String message() {
    return "msg_01" + random(22);
  }

  static String toolUse() {
    return "toolu_01" + random(22);
  }

  private static String random(int length) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    char[] chars = new char[length];
    for (int i = 0; i < length; i++) {
      chars[i] = BASE62[random.nextInt(BASE62.length)];
    }
    return new String(chars);
  }
}
