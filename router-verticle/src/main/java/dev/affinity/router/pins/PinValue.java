package dev.affinity.router.pins;

/**
 * What a pin holds: the cache scope; while the first request for a new prefix is still being answered there (warming
 * up), the epoch millisecond it was claimed; and when the pin expires (epoch milliseconds, 0 when unknown). A warming
 * pin tells concurrent requests for the same prefix to wait for the provider to have written its cache entry, instead
 * of writing one more each. The expiry travels in the value so that every node's view knows, without asking, whether
 * a pin is alive and whether its refresh is due.
 * Encoded as {@code scope \u0001 warmingSince \u0001 expiresAt}, so a read stays one string per key; the shorter
 * forms {@code scope} and {@code scope \u0001 warmingSince} are read too.
 */
record PinValue(String scope, long warmingSince, long expiresAt) {

  private static final char MARK = '\u0001';

  static PinValue parse(String raw) {
    int first = raw.indexOf(MARK);
    if (first < 0) {
      return new PinValue(raw, 0, 0);
    }
    String scope = raw.substring(0, first);
    int second = raw.indexOf(MARK, first + 1);
    try {
      return second < 0 ? new PinValue(scope, Long.parseLong(raw.substring(first + 1)), 0)
          : new PinValue(scope, Long.parseLong(raw, first + 1, second, 10),
              Long.parseLong(raw, second + 1, raw.length(), 10));
    } catch (NumberFormatException unreadable) {
      return new PinValue(scope, 0, 0);
    }
  }

  static String scopeOf(String raw) {
    int mark = raw.indexOf(MARK);
    return mark < 0 ? raw : raw.substring(0, mark);
  }

  String encode() {
    return scope + MARK + warmingSince + MARK + expiresAt;
  }

  boolean warming() {
    return warmingSince > 0;
  }

  /** Whether the pin is alive at {@code now}; a pin of unknown expiry is (the map's own TTL still ends it). */
  boolean aliveAt(long now) {
    return expiresAt == 0 || expiresAt > now;
  }

  /**
   * What a key holds after {@code write}, issued at {@code issuedAt}, is applied to {@code current} (null: absent);
   * null when the write leaves it as it is. Claims are write-if-absent (first writer wins), replacements compare-and-set
   * against the stale scope, refreshes extend a pin that still names the write's scope (never shorten it: a concurrent
   * refresh from another node may already have gone further), and {@code WARMED} ends the warm-up of such a pin.
   */
  static PinValue after(PinStore.Write write, PinValue current, long issuedAt) {
    boolean ours = current != null && current.scope.equals(write.scope());
    long expiry = issuedAt + write.ttlSeconds() * 1000;
    return switch (write.kind()) {
      case CLAIM -> current == null ? new PinValue(write.scope(), write.warmingSince(), expiry) : null;
      case REFRESH -> ours && expiry > current.expiresAt ? new PinValue(current.scope, current.warmingSince, expiry)
          : null;
      case REPLACE -> ours ? (expiry > current.expiresAt ? new PinValue(current.scope, current.warmingSince, expiry) : null)
          : current == null || current.scope.equals(write.stale())
              ? new PinValue(write.scope(), write.warmingSince(), expiry) : null;
      case WARMED -> ours && current.warming()
          ? new PinValue(current.scope, 0, Math.max(expiry, current.expiresAt)) : null;
    };
  }
}
