package dev.affinity.model.config;

import java.util.Optional;

/**
 * A model name with at most one {@code *} wildcard ({@code claude-*}, {@code *}, {@code anthropic/*}), used both for
 * aliases (what clients ask for) and for upstream model ids (what the wildcard part is substituted into).
 */
final class ModelPattern {

  static final char WILDCARD = '*';

  private ModelPattern() {
  }

  static boolean isWildcard(String pattern) {
    return pattern.indexOf(WILDCARD) >= 0;
  }

  static int wildcardCount(String pattern) {
    return (int) pattern.chars().filter(c -> c == WILDCARD).count();
  }

  /**
   * The part of {@code name} that the wildcard of {@code pattern} stands for, or empty when {@code name} does not
   * match. A pattern without wildcard matches only itself and captures the empty string.
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
    return Optional.of(name.substring(prefix.length(), name.length() - suffix.length()));
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
