package dev.affinity.emulator;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Identifiers shaped like OpenAI's: {@code chatcmpl-...}, {@code call_...}, {@code req_...}, and the Responses API's
 * {@code resp_...}, {@code msg_...}, {@code fc_...} (50 hexadecimal digits after the prefix).
 */
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

  static String response() {
    return "resp_" + hex(25);
  }

  static String outputMessage() {
    return "msg_" + hex(25);
  }

  static String reasoningItem() {
    return "rs_" + hex(25);
  }

  static String functionCallItem() {
    return "fc_" + hex(25);
  }

  /** The id OpenAI gives an input item sent without one, by its type ({@code msg_} for a message). */
  static String inputItem(String type) {
    return switch (type) {
      case "message" -> outputMessage();
      case "function_call" -> functionCallItem();
      case "reasoning" -> reasoningItem();
      case "function_call_output" -> "fco_" + hex(25);
      default -> "item_" + hex(25);
    };
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

  private static String hex(int bytes) {
    byte[] random = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(random);
    return HexFormat.of().formatHex(random);
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
