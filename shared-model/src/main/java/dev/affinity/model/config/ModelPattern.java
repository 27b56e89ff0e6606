package dev.affinity.model.config;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A model name with at most one {@code *} wildcard ({@code claude-*}, {@code *}, {@code anthropic/*}), used both for
 * aliases (what clients ask for) and for upstream model ids (what the wildcard part is substituted into).
 */
public final class ModelPattern {

  static final char WILDCARD = '*';
  /**
   * What a wildcard may stand for: a model id's characters (Bedrock's {@code :}, Vertex's {@code @}, a hosted
   * model's {@code org/name}), 1 to 128 of them, starting with a letter or digit. The part goes into upstream URLs
   * (percent-encoded there too), so nothing else is let through: no {@code ..}, {@code ?}, {@code %}, space.
   */
  private static final Pattern WILDCARD_PART =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@+/-]{0,127}");

  private ModelPattern() {
  }

  public static boolean isWildcard(String pattern) {
    return pattern.indexOf(WILDCARD) >= 0;
  }

  static int wildcardCount(String pattern) {
    return (int) pattern.chars().filter(c -> c == WILDCARD).count();
  }

  /**
   * The part of {@code name} that the wildcard of {@code pattern} stands for, or empty when {@code name} does not
   * match, or when that part is not a valid model id ({@link #validPart}). A pattern without wildcard matches only
   * itself and captures the empty string.
   */
  static Optional<String> capture(String pattern, String name) {
    int star = pattern.indexOf(WILDCARD);
    if (star < 0) {
      return pattern.equals(name) ? Optional.of("") : Optional.empty();
    }
    String prefix = pattern.substring(0, star);
    String suffix = pattern.substring(star + 1);
    if (name.length() < prefix.length() + suffix.length() || !name.startsWith(prefix) || !name.endsWith(suffix)) {
      return Optional.empty();
    }
    String part = name.substring(prefix.length(), name.length() - suffix.length());
    return validPart(part) ? Optional.of(part) : Optional.empty();
  }

  /** Whether {@code part} may stand for a wildcard: see {@link #WILDCARD_PART}; no {@code ..} or empty segment. */
  static boolean validPart(String part) {
    return WILDCARD_PART.matcher(part).matches() && !part.contains("..") && !part.contains("//")
        && !part.endsWith("/");
  }

  /** {@code pattern} with its wildcard replaced by {@code captured}; a pattern without wildcard is returned as is. */
  static String substitute(String pattern, String captured) {
    int star = pattern.indexOf(WILDCARD);
    return star < 0 ? pattern : pattern.substring(0, star) + captured + pattern.substring(star + 1);
  }

  /**
   * Orders wildcard patterns that match the same name: the longest literal prefix is the most specific
   * ({@code claude-sonnet-*} before {@code claude-*} before {@code *}), then the longest literal suffix.
   * Positive when {@code a} is more specific than {@code b}.
   */
  static int compareSpecificity(String a, String b) {
    int byPrefix = Integer.compare(a.indexOf(WILDCARD), b.indexOf(WILDCARD));
    return byPrefix != 0 ? byPrefix : Integer.compare(a.length(), b.length());
  }
}
