package dev.affinity.router.cache;

import static dev.affinity.router.cache.AgentConversation.JSON;
import static dev.affinity.router.cache.AgentConversation.marker;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class PinPlanTest {

  private static final String SCOPE = "tenant-a/claude-sonnet";

  @Test
  void everyBreakpointOverTheMinimumIsPinnedWithItsTtl() {
    PrefixChain chain = PrefixChain.ofMessages(new AgentConversation().request(3), SCOPE);

    PinPlan plan = PinPlan.of(chain, MinimumCacheable.tokens(AgentConversation.MODEL));

    assertThat(plan.pins()).extracting(PinPlan.Pin::block).containsExactly(27, 14, 13);
    assertThat(plan.pins()).allSatisfy(pin -> {
      assertThat(pin.key()).isEqualTo(chain.key(pin.block()));
      assertThat(pin.ttl()).isEqualTo(CacheTtl.FIVE_MINUTES);
    });
  }

  @Test
  void oneHourMarkerGivesAOneHourPin() {
    ObjectNode request = new AgentConversation().request(1);
    ((ObjectNode) request.get("system").get(2)).set("cache_control", marker(CacheTtl.ONE_HOUR));
    PrefixChain chain = PrefixChain.ofMessages(request, SCOPE);

    PinPlan plan = PinPlan.of(chain, 1024);

    assertThat(plan.pins()).filteredOn(pin -> pin.block() == 14).singleElement()
        .extracting(PinPlan.Pin::ttl).isEqualTo(CacheTtl.ONE_HOUR);
    assertThat(plan.pins()).filteredOn(pin -> pin.block() != 14)
        .extracting(PinPlan.Pin::ttl).containsOnly(CacheTtl.FIVE_MINUTES);
  }

  @Test
  void prefixUnderTheModelsMinimumPinsNothing() {
    // About 2,000 estimated tokens, all marked: enough for Sonnet, not for Haiku 4.5.
    ObjectNode request = JSON.createObjectNode();
    ArrayNode system = request.putArray("system");
    system.addObject().put("type", "text").put("text", "x".repeat(8_000)).set("cache_control", marker());
    request.putArray("messages").addObject().put("role", "user").put("content", "go");
    PrefixChain chain = PrefixChain.ofMessages(request, SCOPE);

    assertThat(PinPlan.of(chain, MinimumCacheable.tokens("claude-sonnet-4-5")).pins()).hasSize(1);
    assertThat(PinPlan.of(chain, MinimumCacheable.tokens("us.anthropic.claude-haiku-4-5-20251001-v1:0")).isEmpty())
        .isTrue();
    assertThat(PinPlan.of(chain, MinimumCacheable.tokens("claude-sonnet-4-5", OptionalInt.of(2_001))).isEmpty())
        .isTrue();
  }

  @Test
  void requestWithoutMarkersPinsNothing() {
    ObjectNode request = new AgentConversation().request(5);
    ((ObjectNode) request.get("system").get(1)).remove("cache_control");
    ((ObjectNode) request.get("system").get(2)).remove("cache_control");
    ArrayNode messages = (ArrayNode) request.get("messages");
    ((ObjectNode) messages.get(messages.size() - 1).get("content").get(0)).remove("cache_control");
    PrefixChain chain = PrefixChain.ofMessages(request, SCOPE);

    assertThat(chain.totalTokens()).isGreaterThan(4096);
    assertThat(PinPlan.of(chain, 1024).isEmpty()).isTrue();
  }
}
