package dev.affinity.router.pins;

import java.util.ArrayList;
import java.util.List;

/**
 * What a pin holds: the cache scope; while the first request for a new prefix is still being answered there (warming
 * up), the epoch millisecond it was claimed, negated once that request gave the warm-up up (its final answer was an
 * error: released, for one of the requests waiting to take); and when the pin expires (epoch milliseconds, 0 when
 * unknown). A warming pin tells concurrent requests for the same prefix to wait for the provider to have written its
 * cache entry, instead of writing one more each. The expiry travels in the value so that every node's view knows, without asking, whether
 * a pin is alive and whether its refresh is due.
 * Encoded as {@code scope \u0001 warmingSince \u0001 expiresAt}, so a read stays one string per key; the shorter
 * forms {@code scope} and {@code scope \u0001 warmingSince} are read too. A prefix cached on several deployments (a
 * shared prompt that balance spread, see {@code docs/affinity.md}) has co-owners after the first, the scope: they
 * follow as a fourth field, {@code \u0001 owner \u0003 owner ...}. The tenant whose request created the pin, as a
 * short tag (see {@code PinQuota#tag}), follows as a fifth field (the fourth then empty when there are no
 * co-owners), so that every node's view counts each tenant's pins for its quota; null for pins without one.
 *
 * <p>The {@code version}, a sixth field, orders a key's values for the node views ({@link PinMirror}): a write's answer
 * and the map's events reach a view by two paths, so an event of an earlier write can arrive after a later write's
 * answer. Each change sets it to the larger of the write's issue time (epoch milliseconds) and one more than the value
 * it replaces, a hybrid logical clock: it grows with every change of the key, and a pin created again after expiring
 * (at least a second after its last change) starts above where the old one stopped, whatever clock skew below that.
 * 0 is unknown (values written before it), and never ordered.
 */
record PinValue(String scope, long warmingSince, long expiresAt, List<String> coOwners, String tenant, long version) {

  private static final char MARK = '\u0001';
  private static final char OWNER = '\u0003';
  /** More owners than an alias has deployments is never useful; the bound keeps a value read from the map small. */
  static final int MAX_OWNERS = 16;

  PinValue {
    coOwners = List.copyOf(coOwners);
    tenant = tenant == null || tenant.isEmpty() ? null : tenant;
    version = Math.max(0, version);
  }

  PinValue(String scope, long warmingSince, long expiresAt, List<String> coOwners, String tenant) {
    this(scope, warmingSince, expiresAt, coOwners, tenant, 0);
  }

  PinValue(String scope, long warmingSince, long expiresAt, List<String> coOwners) {
    this(scope, warmingSince, expiresAt, coOwners, null);
  }

  PinValue(String scope, long warmingSince, long expiresAt) {
    this(scope, warmingSince, expiresAt, List.of());
  }

  static PinValue parse(String raw) {
    int first = raw.indexOf(MARK);
    if (first < 0) {
      return new PinValue(raw, 0, 0);
    }
    String scope = raw.substring(0, first);
    int second = raw.indexOf(MARK, first + 1);
    int third = second < 0 ? -1 : raw.indexOf(MARK, second + 1);
    try {
      if (second < 0) {
        return new PinValue(scope, Long.parseLong(raw.substring(first + 1)), 0);
      }
      long warming = Long.parseLong(raw, first + 1, second, 10);
      long expires = Long.parseLong(raw, second + 1, third < 0 ? raw.length() : third, 10);
      int fourth = third < 0 ? -1 : raw.indexOf(MARK, third + 1);
      List<String> others = new ArrayList<>();
      if (third >= 0) {
        String owners = fourth < 0 ? raw.substring(third + 1) : raw.substring(third + 1, fourth);
        for (String owner : owners.split(String.valueOf(OWNER))) {
          if (!owner.isEmpty() && !owner.equals(scope) && !others.contains(owner) && others.size() < MAX_OWNERS - 1) {
            others.add(owner);
          }
        }
      }
      if (fourth < 0) {
        return new PinValue(scope, warming, expires, others, null);
      }
      int fifth = raw.indexOf(MARK, fourth + 1);
      return fifth < 0 ? new PinValue(scope, warming, expires, others, raw.substring(fourth + 1))
          : new PinValue(scope, warming, expires, others, raw.substring(fourth + 1, fifth),
              Long.parseLong(raw, fifth + 1, raw.length(), 10));
    } catch (NumberFormatException unreadable) {
      return new PinValue(scope, 0, 0);
    }
  }

  static String scopeOf(String raw) {
    int mark = raw.indexOf(MARK);
    return mark < 0 ? raw : raw.substring(0, mark);
  }

  String encode() {
    String base = scope + MARK + warmingSince + MARK + expiresAt;
    if (version > 0) {
      return base + MARK + String.join(String.valueOf(OWNER), coOwners) + MARK + (tenant == null ? "" : tenant)
          + MARK + version;
    }
    if (tenant != null) {
      return base + MARK + String.join(String.valueOf(OWNER), coOwners) + MARK + tenant;
    }
    return coOwners.isEmpty() ? base : base + MARK + String.join(String.valueOf(OWNER), coOwners);
  }

  /** Every deployment (cache scope) that holds the prefix, the first owner first. */
  List<String> owners() {
    if (coOwners.isEmpty()) {
      return List.of(scope);
    }
    List<String> all = new ArrayList<>(coOwners.size() + 1);
    all.add(scope);
    all.addAll(coOwners);
    return all;
  }

  boolean ownedBy(String owner) {
    return scope.equals(owner) || coOwners.contains(owner);
  }

  boolean warming() {
    return warmingSince > 0;
  }

  /** Whether the request warming the pin up gave it up, nothing cached: one waiting request may take it over. */
  boolean released() {
    return warmingSince < 0;
  }

  /**
   * Whether this value is known to come before {@code other} in its key's changes: a view holding {@code other} keeps
   * it. Values of unknown version (0) are never ordered.
   */
  boolean olderThan(PinValue other) {
    return version > 0 && other.version > 0 && version < other.version;
  }

  /** Whether the pin is alive at {@code now}; a pin of unknown expiry is (the map's own TTL still ends it). */
  boolean aliveAt(long now) {
    return expiresAt == 0 || expiresAt > now;
  }

  /** The same pin under another warm-up mark (see {@link #after}'s RELEASE and TAKE), its expiry unchanged. */
  private PinValue marked(long warming) {
    return new PinValue(scope, warming, expiresAt, coOwners, tenant);
  }

  private PinValue withVersion(long next) {
    return new PinValue(scope, warmingSince, expiresAt, coOwners, tenant, next);
  }

  private PinValue withExpiry(long expiry) {
    return new PinValue(scope, warmingSince, expiry, coOwners, tenant);
  }

  /** {@code stale} replaced by {@code owner} where it stood, without a duplicate. */
  private PinValue replacing(String stale, String owner, long warming, long expiry) {
    List<String> all = new ArrayList<>();
    for (String existing : owners()) {
      String next = existing.equals(stale) ? owner : existing;
      if (!all.contains(next)) {
        all.add(next);
      }
    }
    boolean alone = all.size() == 1;
    // a sole new owner writes the prefix: it warms up; among others, the pin stays as warm as it was
    return new PinValue(all.get(0), alone ? warming : warmingSince, Math.max(expiry, expiresAt),
        all.subList(1, all.size()), tenant);
  }

  /**
   * What a key holds after {@code write}, issued at {@code issuedAt}, is applied to {@code current} (null: absent);
   * null when the write leaves it as it is. Claims are write-if-absent (first writer wins), replacements
   * compare-and-set against the stale scope (only that owner is replaced; other owners keep their place), refreshes
   * extend a pin the write's scope owns (never shorten it: a concurrent refresh from another node may already have
   * gone further), {@code WARMED} ends the warm-up of such a pin, {@code ADD_OWNER} makes the write's scope one
   * more owner, {@code RELEASE} gives up the warm-up under the write's mark (and no other), and {@code TAKE} takes a
   * released warm-up under the write's mark (the first taker wins: the pin is then warming again). Neither of the
   * last two extends the pin: nothing was cached.
   */
  static PinValue after(PinStore.Write write, PinValue current, long issuedAt) {
    PinValue next = changed(write, current, issuedAt);
    return next == null ? null : next.withVersion(Math.max(issuedAt, current == null ? 1 : current.version + 1));
  }

  private static PinValue changed(PinStore.Write write, PinValue current, long issuedAt) {
    boolean ours = current != null && current.ownedBy(write.scope());
    long expiry = issuedAt + write.ttlSeconds() * 1000;
    return switch (write.kind()) {
      case CLAIM -> current == null ? created(write, write.warmingSince(), expiry) : null;
      case REFRESH -> ours && expiry > current.expiresAt ? current.withExpiry(expiry) : null;
      case REPLACE -> ours ? (write.stale() != null && current.ownedBy(write.stale())
              ? current.replacing(write.stale(), write.scope(), write.warmingSince(), expiry)
              : expiry > current.expiresAt ? current.withExpiry(expiry) : null)
          : current == null ? created(write, write.warmingSince(), expiry)
          : current.ownedBy(write.stale())
              ? current.replacing(write.stale(), write.scope(), write.warmingSince(), expiry) : null;
      case WARMED -> ours && current.warming()
          ? new PinValue(current.scope, 0, Math.max(expiry, current.expiresAt), current.coOwners, current.tenant)
          : null;
      case RELEASE -> ours && write.warmingSince() > 0 && current.warmingSince == write.warmingSince()
          ? current.marked(-current.warmingSince) : null;
      case TAKE -> ours && current.released() && write.warmingSince() > 0 ? current.marked(write.warmingSince()) : null;
      case ADD_OWNER -> current == null ? created(write, 0, expiry)
          : ours ? (expiry > current.expiresAt ? current.withExpiry(expiry) : null)
          : current.coOwners.size() >= MAX_OWNERS - 1 ? null
          : new PinValue(current.scope, current.warmingSince, Math.max(expiry, current.expiresAt),
              append(current.coOwners, write.scope()), current.tenant);
    };
  }

  /** A new pin: its tenant is the writer's (a key's tenant never changes, the key is hashed with it). */
  private static PinValue created(PinStore.Write write, long warmingSince, long expiry) {
    return new PinValue(write.scope(), warmingSince, expiry, List.of(), write.tenant());
  }

  private static List<String> append(List<String> owners, String owner) {
    List<String> more = new ArrayList<>(owners);
    more.add(owner);
    return more;
  }
}
