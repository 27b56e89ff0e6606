package dev.affinity.router.pins;

import java.util.ArrayList;
import java.util.List;

/**
 * What a pin holds: the cache scopes that hold the prefix (its owners, the first one first), and while the first
 * request for a new prefix is still being answered there (warming up), the epoch millisecond it was claimed. A
 * warming pin tells concurrent requests for the same prefix to wait for the provider to have written its cache entry,
 * instead of writing one more each. A prefix gets a second owner when load spreads new sessions that share it over
 * another deployment, which then writes it once (see {@code docs/affinity.md}, balance).
 * Encoded as {@code scope}, {@code scope \u0002 scope ...}, each optionally followed by {@code \u0001 millis}, so a
 * read stays one string per key and a pin of one owner is what it always was.
 */
record PinValue(List<String> owners, long warmingSince) {

  private static final char WARMING = '\u0001';
  private static final char OWNER = '\u0002';
  /** More owners than an alias has deployments is never useful; the bound keeps a value read from the map small. */
  static final int MAX_OWNERS = 16;

  PinValue {
    owners = List.copyOf(owners);
    if (owners.isEmpty()) {
      throw new IllegalArgumentException("a pin has at least one owner");
    }
  }

  static PinValue parse(String raw) {
    int mark = raw.indexOf(WARMING);
    long since = 0;
    String scopes = raw;
    if (mark >= 0) {
      scopes = raw.substring(0, mark);
      try {
        since = Long.parseLong(raw.substring(mark + 1));
      } catch (NumberFormatException unreadable) {
        since = 0;
      }
    }
    List<String> owners = new ArrayList<>(2);
    int start = 0;
    for (int i = scopes.indexOf(OWNER); i >= 0 && owners.size() < MAX_OWNERS - 1; i = scopes.indexOf(OWNER, start)) {
      owners.add(scopes.substring(start, i));
      start = i + 1;
    }
    owners.add(scopes.substring(start));
    return new PinValue(owners, since);
  }

  /** The first owner: the one that claimed the prefix, or took it over from a failed one. */
  static String scopeOf(String raw) {
    int end = raw.length();
    int mark = raw.indexOf(WARMING);
    int owner = raw.indexOf(OWNER);
    if (mark >= 0) {
      end = mark;
    }
    if (owner >= 0 && owner < end) {
      end = owner;
    }
    return raw.substring(0, end);
  }

  static String encode(String scope, long warmingSince) {
    return warmingSince > 0 ? scope + WARMING + warmingSince : scope;
  }

  String encode() {
    String scopes = String.join(String.valueOf(OWNER), owners);
    return warmingSince > 0 ? scopes + WARMING + warmingSince : scopes;
  }

  String scope() {
    return owners.get(0);
  }

  boolean ownedBy(String scope) {
    return owners.contains(scope);
  }

  /** The pin with {@code scope} as one more owner, at the end; unchanged when it already is one or the list is full. */
  PinValue withOwner(String scope) {
    if (owners.contains(scope) || owners.size() >= MAX_OWNERS) {
      return this;
    }
    List<String> more = new ArrayList<>(owners);
    more.add(scope);
    return new PinValue(more, warmingSince);
  }

  /** The pin with {@code stale} replaced by {@code scope}, in place, and no duplicate. */
  PinValue replacing(String stale, String scope) {
    List<String> replaced = new ArrayList<>(owners.size());
    for (String owner : owners) {
      String next = owner.equals(stale) ? scope : owner;
      if (!replaced.contains(next)) {
        replaced.add(next);
      }
    }
    return new PinValue(replaced, warmingSince);
  }

  PinValue warm() {
    return new PinValue(owners, 0);
  }

  boolean warming() {
    return warmingSince > 0;
  }
}
