package dev.affinity.model;

/**
 * A value written into a {@code key=value} log line that a client chose (a model name, a path): control characters,
 * quotes, backslashes, spaces and {@code =} are escaped, so that a {@code \n} cannot start a forged line and a space
 * cannot add a forged field. Other values come out as they are.
 */
public final class LogField {

  private LogField() {
  }

  public static String value(String raw) {
    if (raw == null) {
      return "-";
    }
    StringBuilder escaped = null;
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      boolean plain = c > 0x20 && c != 0x7f && c != '"' && c != '\\' && c != '=' && !Character.isISOControl(c)
          && c != '\u2028' && c != '\u2029';
      if (plain) {
        if (escaped != null) {
          escaped.append(c);
        }
        continue;
      }
      if (escaped == null) {
        escaped = new StringBuilder(raw.length() + 16).append(raw, 0, i);
      }
      escaped.append(String.format("\\u%04x", (int) c));
    }
    return escaped == null ? raw : escaped.toString();
  }
}
