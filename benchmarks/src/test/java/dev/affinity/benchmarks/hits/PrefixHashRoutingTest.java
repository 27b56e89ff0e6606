package dev.affinity.benchmarks.hits;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.affinity.benchmarks.hits.PrefixHashRouting.Through;
import dev.affinity.router.cache.PrefixChain;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PrefixHashRoutingTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode request(TenantWorkload.TenantSession session) throws Exception {
    return JSON.readTree(session.session().request(false));
  }

  @Test
  void whatFollowsTheLastBreakpointDoesNotMoveTheRequest() throws Exception {
    ObjectNode request = (ObjectNode) JSON.readTree("""
        {"system": [{"type": "text", "text": "long system prompt", "cache_control": {"type": "ephemeral"}}],
         "messages": [{"role": "user", "content": [
           {"type": "text", "text": "first", "cache_control": {"type": "ephemeral"}}]}]}""");
    ObjectNode longer = request.deepCopy();
    ((ArrayNode) longer.get("messages")).addObject().put("role", "assistant").put("content", "an answer");
    ((ArrayNode) longer.get("messages")).addObject().put("role", "user").put("content", "and more");

    for (int deployments = 2; deployments <= 7; deployments++) {
      assertThat(PrefixHashRouting.deployment(longer, deployments, Through.LAST_BREAKPOINT))
          .isEqualTo(PrefixHashRouting.deployment(request, deployments, Through.LAST_BREAKPOINT))
          .isBetween(0, deployments - 1);
    }
  }

  @Test
  void hashesTheLastBreakpointOrTheLastSystemBreakpoint() throws Exception {
    JsonNode request = request(TenantWorkload.sessions(TenantWorkload.Kind.SHARED_AGENT, 7, 1, 1, "m").get(0));
    PrefixChain chain = PrefixChain.ofMessages(request, "test");
    int staticBlocks = request.get("tools").size() + request.get("system").size();
    int lastBreakpoint = chain.breakpoints().get(chain.breakpoints().size() - 1).block();

    assertThat(lastBreakpoint).isGreaterThanOrEqualTo(staticBlocks);
    assertThat(PrefixHashRouting.hashedBlock(chain, staticBlocks, Through.LAST_BREAKPOINT)).isEqualTo(lastBreakpoint);
    // the agent marks the second and third system blocks: the third is the last static breakpoint
    assertThat(PrefixHashRouting.hashedBlock(chain, staticBlocks, Through.LAST_SYSTEM_BREAKPOINT))
        .isEqualTo(staticBlocks - 1);
  }

  @Test
  void withoutBreakpointsTheWholePromptOrItsStaticPartIsHashed() throws Exception {
    JsonNode request = JSON.readTree("""
        {"tools": [{"name": "a"}], "system": "prompt",
         "messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yes"}]}""");
    PrefixChain chain = PrefixChain.ofMessages(request, "test");

    assertThat(PrefixHashRouting.hashedBlock(chain, 2, Through.LAST_BREAKPOINT)).isEqualTo(3);
    assertThat(PrefixHashRouting.hashedBlock(chain, 2, Through.LAST_SYSTEM_BREAKPOINT)).isEqualTo(1);
  }

  @Test
  void aTenantsSessionsShareASystemHashButTheirTurnsScatterOverLastBreakpointHashes() throws Exception {
    List<TenantWorkload.TenantSession> sessions =
        TenantWorkload.sessions(TenantWorkload.Kind.OWN_PROMPTS, 7, 1, 12, "m");
    Set<Integer> bySystem = new HashSet<>();
    Set<Integer> byLastBreakpoint = new HashSet<>();
    for (TenantWorkload.TenantSession session : sessions) {
      for (int turn = 1; turn <= 3; turn++) {
        JsonNode request = request(session);
        bySystem.add(PrefixHashRouting.deployment(request, 3, Through.LAST_SYSTEM_BREAKPOINT));
        byLastBreakpoint.add(PrefixHashRouting.deployment(request, 3, Through.LAST_BREAKPOINT));
        session.session().nextTurn("Done.");
      }
    }
    assertThat(bySystem).hasSize(1);
    // 36 different prefixes over 3 deployments: all three are used (the odds of missing one are about 1e-6)
    assertThat(byLastBreakpoint).containsExactlyInAnyOrder(0, 1, 2);
  }
}
