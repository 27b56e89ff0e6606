package dev.affinity.router.cache;

import static dev.affinity.router.cache.AgentConversation.JSON;
import static dev.affinity.router.cache.AgentConversation.marker;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class LookupPlanTest {

  private static final String SCOPE = "tenant-a/claude-sonnet";

  /** {@code blocks} user text blocks, one per message, the last one marked. */
  private static PrefixChain conversation(int blocks) {
    ObjectNode request = JSON.createObjectNode();
    ArrayNode messages = request.putArray("messages");
    for (int i = 0; i < blocks; i++) {
      ObjectNode block = messages.addObject().put("role", i % 2 == 0 ? "user" : "assistant")
          .putArray("content").addObject().put("type", "text").put("text", "turn " + i);
      if (i == blocks - 1) {
        block.set("cache_control", marker());
      }
    }
    return PrefixChain.ofMessages(request, SCOPE);
  }

  @Test
  void prefixTwentyBlocksBackIsLookedUpAndTwentyOneIsNot() {
    PrefixChain earlier = conversation(10);
    String pinned = earlier.key(9);

    assertThat(LookupPlan.of(conversation(30)).keys()).contains(pinned);
    assertThat(LookupPlan.of(conversation(31)).keys()).doesNotContain(pinned);
  }

  @Test
  void keysAreTheWindowBeforeEachBreakpointLongestFirstWithoutDuplicates() {
    PrefixChain chain = PrefixChain.ofMessages(new AgentConversation().request(6), SCOPE);
    // Breakpoints 13 and 14 (system), whose windows overlap, and the last message's first block, at 39.
    int last = chain.breakpoints().get(2).block();

    LookupPlan plan = LookupPlan.of(chain);

    assertThat(plan.keys()).doesNotHaveDuplicates();
    assertThat(plan.probes()).extracting(LookupPlan.Probe::block)
        .isSortedAccordingTo((a, b) -> Integer.compare(b, a))
        .first().isEqualTo(last);
    assertThat(plan.probes()).extracting(LookupPlan.Probe::block)
        .containsAll(java.util.stream.IntStream.rangeClosed(last - 20, last).boxed().toList())
        .contains(0, 14)
        .hasSize(15 + 21);
    assertThat(plan.probes()).allSatisfy(probe -> assertThat(probe.key()).isEqualTo(chain.key(probe.block())));
  }

  @Test
  void boundaryInTwoWindowsKeepsTheLongerTtl() throws Exception {
    PrefixChain chain = PrefixChain.ofMessages(JSON.readTree("""
        {"messages":[{"role":"user","content":[
          {"type":"text","text":"a"},
          {"type":"text","text":"b","cache_control":{"type":"ephemeral","ttl":"1h"}},
          {"type":"text","text":"c","cache_control":{"type":"ephemeral"}}]}]}"""), SCOPE);

    LookupPlan plan = LookupPlan.of(chain);

    assertThat(plan.probes()).containsExactly(
        new LookupPlan.Probe(chain.key(2), 2, CacheTtl.FIVE_MINUTES),
        new LookupPlan.Probe(chain.key(1), 1, CacheTtl.ONE_HOUR),
        new LookupPlan.Probe(chain.key(0), 0, CacheTtl.ONE_HOUR));
  }

  @Test
  void requestWithoutMarkersLooksUpNothing() throws Exception {
    PrefixChain chain = PrefixChain.ofMessages(JSON.readTree("""
        {"messages":[{"role":"user","content":"hello"}]}"""), SCOPE);

    assertThat(LookupPlan.of(chain).isEmpty()).isTrue();
  }
}
