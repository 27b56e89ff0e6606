package dev.affinity.router.pins;

/**
 * What a pin holds: the cache scope, and while the first request for a new prefix is still being answered there
 * (warming up), the epoch millisecond it was claimed. A warming pin tells concurrent requests for the same prefix to
 * wait for the provider to have written its cache entry, instead of writing one more each.
 * Encoded as {@code scope} or {@code scope \u0001 millis}, so a read stays one string per key.
 */
record PinValue(String scope, long warmingSince) {

  private static final char WARMING = '\u0001';

  static PinValue parse(String raw) {
    int mark = raw.indexOf(WARMING);
    if (mark < 0) {
      return new PinValue(raw, 0);
    }
    try {
      return new PinValue(raw.substring(0, mark), Long.parseLong(raw.substring(mark + 1)));
    } catch (NumberFormatException unreadable) {
      return new PinValue(raw.substring(0, mark), 0);
    }
  }

  static String scopeOf(String raw) {
    int mark = raw.indexOf(WARMING);
    return mark < 0 ? raw : raw.substring(0, mark);
  }

  static String encode(String scope, long warmingSince) {
    return warmingSince > 0 ? scope + WARMING + warmingSince : scope;
  }

  boolean warming() {
    return warmingSince > 0;
  }
}
