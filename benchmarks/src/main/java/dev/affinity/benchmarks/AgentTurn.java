package dev.affinity.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.emulator.workload.AgentWorkload;
import dev.affinity.router.cache.AffinityDecision;
import dev.affinity.router.cache.LookupPlan;
import dev.affinity.router.cache.MinimumCacheable;
import dev.affinity.router.cache.PinPlan;
import dev.affinity.router.cache.PrefixChain;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The request both benchmarks route: turn 3 of an agent session, about 50 KB, with what the pin map holds when it
 * arrives. Checked on creation, because a benchmark of the wrong request would still print plausible numbers.
 */
final class AgentTurn {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String UPSTREAM_MODEL = "claude-sonnet-4-5-20250929";
  /** What CacheAffinityPolicy seeds the chain with: tenant namespace and alias. */
  static final String SCOPE = "tenant-1" + '\u0000' + AgentWorkload.DEFAULT_MODEL;
  static final String PINNED = "deployment-a";
  static final String FALLBACK = "deployment-b";
  static final Set<String> ELIGIBLE = Set.of(PINNED, FALLBACK, "deployment-c");

  final byte[] body;
  final JsonNode request;
  final PrefixChain chain;
  final int minimumTokens;
  final LookupPlan lookup;
  final PinPlan plan;
  /**
   * What a lookup returns for this turn: every cacheable prefix shorter than the new turn's breakpoint, pinned to
   * {@link #PINNED} by earlier turns. The decision follows that pin, refreshes what it found and claims the new
   * turn's prefix: the common case of an agent session.
   */
  final Map<String, String> previousTurnPins;

  private AgentTurn(byte[] body) throws IOException {
    this.body = body;
    this.request = JSON.readTree(body);
    this.chain = PrefixChain.ofMessages(request, SCOPE);
    this.minimumTokens = MinimumCacheable.tokens(UPSTREAM_MODEL);
    this.lookup = LookupPlan.of(chain);
    this.plan = PinPlan.of(chain, minimumTokens);
    List<PinPlan.Pin> pins = plan.pins();
    int newestBreakpoint = pins.isEmpty() ? -1 : pins.get(0).block();
    Map<String, String> found = new HashMap<>();
    for (LookupPlan.Probe probe : lookup.probes()) {
      if (probe.block() < newestBreakpoint && chain.tokensThrough(probe.block()) >= minimumTokens) {
        found.put(probe.key(), PINNED);
      }
    }
    this.previousTurnPins = Map.copyOf(found);
  }

  /** The fixture of {@code seed}, checked to be agent-shaped. */
  static AgentTurn fixture(long seed) {
    AgentTurn turn;
    try {
      turn = new AgentTurn(AgentWorkload.agentRequestFixture(seed));
    } catch (IOException e) {
      throw new UncheckedIOException("the agent fixture is not JSON", e);
    }
    if (turn.body.length < 40_000 || turn.lookup.keys().size() < 10 || turn.plan.isEmpty()
        || turn.previousTurnPins.isEmpty()) {
      throw new IllegalStateException("fixture is not agent-shaped: " + turn);
    }
    AffinityDecision decision = turn.decide(turn.previousTurnPins);
    if (!PINNED.equals(decision.deploymentId()) || decision.claims().isEmpty()) {
      throw new IllegalStateException("expected a pinned route with a claim for the new turn, got " + decision);
    }
    return turn;
  }

  AffinityDecision decide(Map<String, String> found) {
    return AffinityDecision.decide(lookup, plan, found, ELIGIBLE, () -> FALLBACK);
  }

  @Override
  public String toString() {
    return body.length + " bytes, " + chain.size() + " blocks, " + chain.breakpoints().size() + " breakpoints, "
        + lookup.keys().size() + " lookup keys, " + plan.pins().size() + " pins, ~" + chain.totalTokens()
        + " tokens, " + previousTurnPins.size() + " pinned by earlier turns";
  }
}
