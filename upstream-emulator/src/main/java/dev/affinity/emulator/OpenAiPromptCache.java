package dev.affinity.emulator;

import java.time.Duration;
import java.time.Instant;

/**
 * One account's OpenAI prompt cache, separate from its Anthropic one. OpenAI caches automatically, without markers:
 * once a prompt reaches 1024 tokens, every prefix of it that ends on a 128-token step is cached, and a later request
 * reads the longest prefix it shares with a live entry. Entries are keyed by {@link ChatPrompt} boundary hashes,
 * which carry the model and the {@code prompt_cache_key}.
 *
 * <p>As for {@link PromptCache}, a request is {@linkplain #plan planned} (lookup and hit refresh) and its prefixes are
 * {@linkplain #commit committed} only when its response begins. Thread-safe.
 */
final class OpenAiPromptCache {

  private final CacheEntries<Retention> entries = new CacheEntries<>(Retention::duration);

  /** How long an entry lives after its last use ({@code prompt_cache_retention}). */
  enum Retention {
    /**
     * The default: OpenAI clears in-memory entries after 5 to 10 minutes of inactivity; the emulator keeps them for
     * the upper bound, refreshed on every use.
     */
    IN_MEMORY("in_memory", Duration.ofMinutes(10)),
    /** Extended retention: up to 24 hours. */
    EXTENDED("24h", Duration.ofHours(24));

    private final String wire;
    private final Duration duration;

    Retention(String wire, Duration duration) {
      this.wire = wire;
      this.duration = duration;
    }

    Duration duration() {
      return duration;
    }

    String wire() {
      return wire;
    }

    /** The retention for a wire value, or null when there is none of that name. */
    static Retention fromWire(String wire) {
      for (Retention retention : values()) {
        if (retention.wire.equals(wire)) {
          return retention;
        }
      }
      return null;
    }

    static Retention longer(Retention a, Retention b) {
      return a.duration.compareTo(b.duration) >= 0 ? a : b;
    }
  }

  /** What a request reads ({@code cachedTokens}, 0 on a miss) and, once committed, caches. */
  record Plan(ChatPrompt prompt, Retention retention, long cachedTokens) {
  }

  synchronized Plan plan(ChatPrompt prompt, Retention retention, Instant now) {
    for (int i = prompt.boundaryCount() - 1; i >= 0; i--) {
      String hash = prompt.boundaryHash(i);
      Retention cached = entries.live(hash, now);
      if (cached != null) {
        entries.refresh(hash, Retention.longer(cached, retention), now);
        return new Plan(prompt, retention, prompt.boundaryTokens(i));
      }
    }
    return new Plan(prompt, retention, 0);
  }

  /** Caches every boundary prefix of the planned prompt; an entry that would outlive the new one is kept. */
  synchronized void commit(Plan plan, Instant now) {
    ChatPrompt prompt = plan.prompt();
    for (int i = 0; i < prompt.boundaryCount(); i++) {
      entries.write(prompt.boundaryHash(i), plan.retention(), now);
    }
  }

  /** Drops expired entries (lookups ignore them anyway; this bounds memory) and answers how many are live. */
  synchronized int purgeExpired(Instant now) {
    return entries.purgeExpired(now);
  }

  synchronized void clear() {
    entries.clear();
  }
}
