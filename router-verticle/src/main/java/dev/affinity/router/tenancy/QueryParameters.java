package dev.affinity.router.tenancy;

import io.vertx.core.MultiMap;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Set;

/**
 * The query parameters of the LiteLLM endpoints, read alike: a name an endpoint does not take, a count that is not
 * a whole number in range, or a date range that is not one, is the caller's mistake, named
 * ({@link IllegalArgumentException}, a 400).
 */
final class QueryParameters {

  private QueryParameters() {
  }

  /**
   * @param usage what the endpoint takes, for the message ({@code "/spend/logs takes api_key, ..."})
   * @throws IllegalArgumentException for the first parameter not in {@code taken}
   */
  static void only(MultiMap parameters, Set<String> taken, String usage) {
    for (String name : parameters.names()) {
      if (!taken.contains(name)) {
        throw new IllegalArgumentException("unknown parameter '" + name + "': " + usage);
      }
    }
  }

  /**
   * A count: {@code fallback} when absent, else a whole number from 1 to {@code max}.
   *
   * @throws IllegalArgumentException naming {@code name} when it is not
   */
  static int wholeNumber(String value, String name, int fallback, int max) {
    if (value == null) {
      return fallback;
    }
    try {
      int parsed = Integer.parseInt(value);
      if (parsed >= 1 && parsed <= max) {
        return parsed;
      }
    } catch (NumberFormatException notANumber) {
      // answered below
    }
    throw new IllegalArgumentException(name + " must be a whole number, "
        + (max == Integer.MAX_VALUE ? "1 or more" : "from 1 to " + max));
  }

  /** The UTC days from {@code first} to {@code last}, both included. */
  record Days(LocalDate first, LocalDate last) {
  }

  /**
   * {@code start_date} and {@code end_date} ({@code YYYY-MM-DD}): both, or, when not {@code required}, neither (then
   * null).
   *
   * @throws IllegalArgumentException naming the parameter that is wrong
   */
  static Days days(MultiMap parameters, boolean required) {
    LocalDate start = date(parameters.get("start_date"), "start_date");
    LocalDate end = date(parameters.get("end_date"), "end_date");
    if (start == null && end == null && !required) {
      return null;
    }
    if (start == null || end == null) {
      String missing = start == null ? "start_date" : "end_date";
      throw new IllegalArgumentException(start == null && end == null ? "start_date and end_date are required"
          + " (YYYY-MM-DD)" : missing + " is required with " + (start == null ? "end_date" : "start_date"));
    }
    if (end.isBefore(start)) {
      throw new IllegalArgumentException("end_date must not be before start_date");
    }
    return new Days(start, end);
  }

  /**
   * The rows of every key on the days {@code start_date} to {@code end_date}, both required, for an endpoint
   * ({@code path}) that takes no other parameter.
   *
   * @throws IllegalArgumentException naming the parameter that is wrong
   */
  static SpendFilter everyKeyOnDays(MultiMap parameters, String path, int limit) {
    only(parameters, Set.of("start_date", "end_date"), path + " takes start_date and end_date (YYYY-MM-DD)");
    Days days = days(parameters, true);
    return SpendFilter.ofDays(null, null, null, days.first(), days.last(), limit);
  }

  private static LocalDate date(String value, String name) {
    if (value == null) {
      return null;
    }
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException notADate) {
      throw new IllegalArgumentException(name + " must be a date, YYYY-MM-DD");
    }
  }
}
