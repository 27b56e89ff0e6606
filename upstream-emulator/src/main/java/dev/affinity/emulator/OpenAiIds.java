package dev.affinity.emulator;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** Identifiers shaped like OpenAI's: {@code chatcmpl-...}, {@code call_...}, {@code req_...}. */
final class OpenAiIds {

  private static final char[] BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

  private OpenAiIds() {
  }

  static String completion() {
    return "chatcmpl-" + random(29);
  }

  static String toolCall() {
    return "call_" + random(24);
  }

  /** The {@code x-request-id} of a response. */
  static String request() {
    byte[] bytes = new byte[16];
    ThreadLocalRandom.current().nextBytes(bytes);
    return "req_" + HexFormat.of().formatHex(bytes);
  }

  /** A {@code system_fingerprint}: stable per model, as a backend configuration is. */
  static String systemFingerprint(String model) {
    return String.format("fp_%010x", Integer.toUnsignedLong(model.hashCode()));
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
