package dev.affinity.emulator;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * One account's cache entries of one API: prefix hash to when it expires and the lifetime it was written with.
 * Shared by the Anthropic and OpenAI prompt caches, whose rules differ but whose entries behave alike: a hit
 * refreshes, a write never shortens a longer-lived entry, expired entries are gone. Not thread-safe: the owning cache
 * synchronizes.
 *
 * @param <T> the lifetime of an entry (Anthropic's TTL, OpenAI's retention)
 */
final class CacheEntries<T> {

  private record Entry<T>(Instant expiresAt, T lifetime) {
  }

  private final Map<String, Entry<T>> entries = new HashMap<>();
  private final Function<T, Duration> duration;

  CacheEntries(Function<T, Duration> duration) {
    this.duration = duration;
  }

  /** The lifetime of the live entry for {@code hash}, or null; an expired entry is dropped. */
  T live(String hash, Instant now) {
    Entry<T> entry = entries.get(hash);
    if (entry == null) {
      return null;
    }
    if (!entry.expiresAt().isAfter(now)) {
      entries.remove(hash);
      return null;
    }
    return entry.lifetime();
  }

  /** A hit: the entry lives {@code lifetime} from now. */
  void refresh(String hash, T lifetime, Instant now) {
    entries.put(hash, new Entry<>(now.plus(duration.apply(lifetime)), lifetime));
  }

  /** A write: the entry lives {@code lifetime} from now, unless an existing one would outlive it. */
  void write(String hash, T lifetime, Instant now) {
    entries.merge(hash, new Entry<>(now.plus(duration.apply(lifetime)), lifetime),
        (existing, fresh) -> existing.expiresAt().isAfter(fresh.expiresAt()) ? existing : fresh);
  }

  /** Drops expired entries (lookups ignore them anyway; this bounds memory) and answers how many are live. */
  int purgeExpired(Instant now) {
    entries.values().removeIf(entry -> !entry.expiresAt().isAfter(now));
    return entries.size();
  }

  void clear() {
    entries.clear();
  }
}
