package dev.affinity.emulator;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code signature} of a thinking block: Anthropic signs the thinking it returns so that a client can only hand
 * back thinking the model wrote. Here an HMAC of the thinking text under one fixed key, so that a signature written by
 * one account (or one emulator process) is accepted by every other, as Anthropic's are across accounts and across
 * its own API, Bedrock and Vertex AI: a conversation the gateway moves between deployments keeps working. Public for
 * the workload's stand-in thinking (see {@code Session#nextTurn}).
 */
public final class ThinkingSignature {

  private static final byte[] KEY = "affinity-emulator thinking signatures".getBytes(StandardCharsets.UTF_8);

  private ThinkingSignature() {
  }

  public static String of(String thinking) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
      return Base64.getEncoder().encodeToString(mac.doFinal(thinking.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required by every Java platform", e);
    }
  }

  static boolean valid(String thinking, String signature) {
    return MessageDigest.isEqual(of(thinking).getBytes(StandardCharsets.UTF_8),
        signature.getBytes(StandardCharsets.UTF_8));
  }
}
