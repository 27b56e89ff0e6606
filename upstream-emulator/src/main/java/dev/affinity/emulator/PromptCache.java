package dev.affinity.emulator;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One account's prompt cache, following Anthropic's documented rules. Entries are keyed by prefix hash (which is
 * seeded with the model id, so caches are model-specific) and expire on the emulator's clock.
 *
 * <p>A request is first {@linkplain #plan planned} (lookup, hit refresh, usage numbers) and its writes are
 * {@linkplain #commit committed} only once its response begins: until then, concurrent identical requests do not
 * see each other's entries and all pay for the write, as on the real API.
 *
 * <p>Thread-safe: verticle instances on several event loops share an account.
 */
final class PromptCache {

  /** Anthropic looks for a hit at the breakpoint and at up to this many block boundaries before it. */
  static final int LOOKBACK_BLOCKS = 20;

  private final CacheEntries<CacheTtl> entries = new CacheEntries<>(CacheTtl::duration);

  /** What a request reads and writes: which block was hit (-1 for none), which prefixes get written. */
  record Plan(int readBlock, List<Write> writes, Usage usage) {
  }

  /** A prefix the request caches once its response begins. */
  record Write(String hash, CacheTtl ttl) {
  }

  synchronized Plan plan(PromptLayout layout, int minimumTokens, Instant now) {
    int readBlock = -1;
    CacheTtl readTtl = null;
    for (PromptLayout.Breakpoint breakpoint : layout.breakpoints()) {
      int lowest = Math.max(0, breakpoint.block() - LOOKBACK_BLOCKS);
      for (int j = breakpoint.block(); j >= lowest && j > readBlock; j--) {
        CacheTtl cached = entries.live(layout.hash(j), now);
        if (cached != null) {
          readBlock = j;
          readTtl = CacheTtl.longer(cached, breakpoint.ttl());
          break;
        }
      }
    }
    if (readBlock >= 0) {
      entries.refresh(layout.hash(readBlock), readTtl, now);
    }
    long readTokens = readBlock >= 0 ? layout.prefixTokens(readBlock) : 0;

    List<Write> writes = new ArrayList<>();
    long written5m = 0;
    long written1h = 0;
    long covered = readTokens;
    for (PromptLayout.Breakpoint breakpoint : layout.breakpoints()) {
      long prefix = layout.prefixTokens(breakpoint.block());
      if (breakpoint.block() > readBlock && prefix >= minimumTokens) {
        writes.add(new Write(layout.hash(breakpoint.block()), breakpoint.ttl()));
        // The segment since the previous cached point is billed at this breakpoint's TTL.
        if (breakpoint.ttl() == CacheTtl.ONE_HOUR) {
          written1h += prefix - covered;
        } else {
          written5m += prefix - covered;
        }
        covered = prefix;
      }
    }
    long input = layout.totalTokens() - covered;
    Usage usage = new Usage(input, written5m, written1h, readTokens, 0);
    return new Plan(readBlock, List.copyOf(writes), usage);
  }

  /** Makes the plan's writes visible to later requests; an existing longer-lived entry is kept. */
  synchronized void commit(Plan plan, Instant now) {
    for (Write write : plan.writes()) {
      entries.write(write.hash(), write.ttl(), now);
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
