package dev.affinity.benchmarks.hits;

import com.fasterxml.jackson.databind.JsonNode;
import dev.affinity.router.cache.Breakpoint;
import dev.affinity.router.cache.PrefixChain;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.List;

/**
 * Stateless consistent routing by prompt prefix, the approach other gateways take: hash the canonical prefix up to a
 * {@code cache_control} breakpoint and take it modulo the number of deployments. No shared state, no pins.
 *
 * <p>Hashing uses the gateway's own {@link PrefixChain}, so "the same prefix" means what it means to Affinity
 * (markers stripped, a string content equal to one text block).
 */
public final class PrefixHashRouting {

  /** Which breakpoint's prefix is hashed. */
  public enum Through {
    /** The last breakpoint of the request: with an agent's moving marker, a new prefix every turn. */
    LAST_BREAKPOINT,
    /** The last breakpoint among the tools and system blocks: the static prompt, the same every turn. */
    LAST_SYSTEM_BREAKPOINT
  }

  private static final String SCOPE = "prefix-hash";

  private PrefixHashRouting() {
  }

  /** The deployment, from 0 to {@code deployments - 1}, that a request goes to. */
  public static int deployment(JsonNode request, int deployments, Through through) {
    if (deployments < 1) {
      throw new IllegalArgumentException("deployments must be at least 1");
    }
    PrefixChain chain = PrefixChain.ofMessages(request, SCOPE);
    if (chain.size() == 0) {
      return 0;
    }
    int block = hashedBlock(chain, staticBlocks(request), through);
    long hash = ByteBuffer.wrap(Base64.getUrlDecoder().decode(chain.key(block))).getLong();
    return Math.floorMod(hash, deployments);
  }

  /**
   * The last block of the hashed prefix. A request without a breakpoint (in the tools and system, for
   * {@link Through#LAST_SYSTEM_BREAKPOINT}) hashes what is there: the whole prompt, or the whole static part.
   */
  static int hashedBlock(PrefixChain chain, int staticBlocks, Through through) {
    List<Breakpoint> breakpoints = chain.breakpoints();
    int limit = through == Through.LAST_BREAKPOINT ? chain.size() : Math.max(1, staticBlocks);
    int chosen = Math.min(chain.size(), limit) - 1;
    for (int i = breakpoints.size() - 1; i >= 0; i--) {
      if (breakpoints.get(i).block() < limit) {
        return breakpoints.get(i).block();
      }
    }
    return chosen;
  }

  /** Blocks of the tools and system prompt, which come first in the chain. */
  private static int staticBlocks(JsonNode request) {
    JsonNode system = request.path("system");
    return request.path("tools").size() + (system.isTextual() ? 1 : system.size());
  }
}
