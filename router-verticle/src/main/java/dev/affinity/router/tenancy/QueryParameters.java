package dev.affinity.router.tenancy;

import io.vertx.core.MultiMap;

import java.util.Set;

/**
 * The query parameters of the LiteLLM endpoints, read alike: a name an endpoint does not take, or a count that is not
 * a whole number in range, is the caller's mistake, named ({@link IllegalArgumentException}, a 400).
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
}
