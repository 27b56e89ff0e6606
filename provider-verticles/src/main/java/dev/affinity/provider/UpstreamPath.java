package dev.affinity.provider;

import java.nio.charset.StandardCharsets;

/**
 * A value put into an upstream URL path as one segment: a model id, which under a wildcard alias comes from the
 * client. Percent-encoded, so that {@code /}, {@code ..}, {@code ?}, {@code #} or {@code :} in it cannot reach another
 * resource of the upstream with the deployment's credentials.
 */
public final class UpstreamPath {

  private UpstreamPath() {
  }

  /** RFC 3986 percent-encoding of everything but unreserved characters and those in {@code kept}. */
  public static String segment(String value, String kept) {
    StringBuilder encoded = new StringBuilder(value.length() + 8);
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_' || c == '~' || (c < 0x80 && kept.indexOf(c) >= 0)) {
        encoded.append(c);
      } else {
        encoded.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return encoded.toString();
  }

  /**
   * A Google model id (Gemini API, Vertex AI) as a path segment: {@code @} (Vertex versions) kept, {@code :} encoded
   * since the method follows one ({@code models/{id}:generateContent}).
   */
  public static String googleModel(String model) {
    return segment(model, "@");
  }
}
