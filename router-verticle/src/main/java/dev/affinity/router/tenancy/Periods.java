package dev.affinity.router.tenancy;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** LiteLLM's durations ({@code duration}, {@code budget_duration}): a number and s, m, h, d, w or mo (30 days). */
public final class Periods {

  private static final Pattern FORM = Pattern.compile("(\\d{1,9})\\s*(s|m|h|d|w|mo)");

  private Periods() {
  }

  /**
   * @param field the request field, named in the error
   * @throws IllegalArgumentException naming the field and the accepted forms
   */
  public static Duration parse(String field, String text) {
    Matcher form = FORM.matcher(text == null ? "" : text.trim());
    if (!form.matches() || Long.parseLong(form.group(1)) == 0) {
      throw new IllegalArgumentException(field + " must be a positive number with a unit: s, m, h, d, w or mo"
          + " (e.g. 30d), not '" + text + "'");
    }
    long n = Long.parseLong(form.group(1));
    return switch (form.group(2)) {
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      case "d" -> Duration.ofDays(n);
      case "w" -> Duration.ofDays(7 * n);
      default -> Duration.ofDays(30 * n);
    };
  }

  /**
   * The start of the budget period that holds {@code now}: periods of {@code periodMillis} laid end to end from
   * {@code anchorMillis} (when the key or team was made). 0 for a budget that never resets.
   */
  public static long periodStart(long anchorMillis, long periodMillis, long nowMillis) {
    if (periodMillis <= 0) {
      return 0;
    }
    long elapsed = Math.max(0, nowMillis - anchorMillis);
    return anchorMillis + elapsed / periodMillis * periodMillis;
  }
}
