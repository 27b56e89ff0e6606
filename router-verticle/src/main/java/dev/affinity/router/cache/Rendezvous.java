package dev.affinity.router.cache;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/**
 * Rendezvous (highest-random-weight) hashing of a prefix key over cache scopes: every node ranks the scopes the same
 * way without talking, and when a scope leaves the set only the keys it ranked first move. Used for where a prefix
 * goes when its deployment fails (the same choice on every node) and where a hot prefix spills.
 */
public final class Rendezvous {

  private Rendezvous() {
  }

  /** The scope {@code key} ranks first among {@code scopes}; empty when there is none. */
  public static Optional<String> first(String key, Collection<String> scopes) {
    return scopes.stream().max(Comparator.comparingLong((String scope) -> rank(key, scope))
        .thenComparing(Comparator.reverseOrder()));
  }

  /** A stable 64-bit mix of key and scope (the same on every JVM: String.hashCode is specified). */
  static long rank(String key, String scope) {
    long h = key.hashCode() * 0x9E3779B97F4A7C15L + scope.hashCode();
    h ^= h >>> 33;
    h *= 0xFF51AFD7ED558CCDL;
    h ^= h >>> 33;
    h *= 0xC4CEB9FE1A85EC53L;
    h ^= h >>> 33;
    return h;
  }
}
