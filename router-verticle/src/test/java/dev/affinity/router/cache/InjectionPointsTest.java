package dev.affinity.router.cache;

import static dev.affinity.router.cache.AgentConversation.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.affinity.router.cache.InjectionPoints.Outcome;
import dev.affinity.router.cache.InjectionPoints.Point;
import java.util.List;
import org.junit.jupiter.api.Test;

class InjectionPointsTest {

  private static ObjectNode request(String json) throws Exception {
    return (ObjectNode) JSON.readTree(json);
  }

  private static JsonNode json(String json) throws Exception {
    return JSON.readTree(json);
  }

  @Test
  void lastMessageByNegativeIndexGetsAMarkerOnItsLastBlock() throws Exception {
    ObjectNode request = request("""
        {"messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"},
                     {"role":"user","content":[{"type":"text","text":"c"},{"type":"text","text":"d"}]}]}""");

    Outcome outcome = InjectionPoints.apply(request, List.of(Point.atIndex(-1)));

    assertThat(outcome).isEqualTo(new Outcome(1, 0, 0));
    assertThat(request).isEqualTo(json("""
        {"messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"},
                     {"role":"user","content":[{"type":"text","text":"c"},
                       {"type":"text","text":"d","cache_control":{"type":"ephemeral"}}]}]}"""));
  }

  @Test
  void stringContentBecomesOneMarkedTextBlock() throws Exception {
    ObjectNode request = request("""
        {"messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"}]}""");

    InjectionPoints.apply(request, List.of(Point.atIndex(0).withTtl(CacheTtl.ONE_HOUR)));

    assertThat(request).isEqualTo(json("""
        {"messages":[{"role":"user","content":[{"type":"text","text":"a",
                        "cache_control":{"type":"ephemeral","ttl":"1h"}}]},
                     {"role":"assistant","content":"b"}]}"""));
  }

  @Test
  void outOfRangeIndexTargetsNothing() throws Exception {
    ObjectNode request = request("""
        {"messages":[{"role":"user","content":"a"}]}""");
    ObjectNode before = request.deepCopy();

    Outcome outcome = InjectionPoints.apply(request, List.of(Point.atIndex(-2), Point.atIndex(1)));

    assertThat(outcome).isEqualTo(new Outcome(0, 0, 0));
    assertThat(request).isEqualTo(before);
  }

  @Test
  void roleTargetsEveryMessageOfThatRole() throws Exception {
    ObjectNode request = request("""
        {"messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"},{"role":"user","content":"c"}]}""");

    Outcome outcome = InjectionPoints.apply(request, List.of(Point.forRole("user")));

    assertThat(outcome.injected()).isEqualTo(2);
    assertThat(request.at("/messages/0/content/0/cache_control")).isEqualTo(json("{\"type\":\"ephemeral\"}"));
    assertThat(request.at("/messages/1/content").isTextual()).isTrue();
    assertThat(request.at("/messages/2/content/0/cache_control")).isEqualTo(json("{\"type\":\"ephemeral\"}"));
  }

  @Test
  void systemRoleTargetsTopLevelSystemThenSystemMessages() throws Exception {
    ObjectNode request = request("""
        {"system":[{"type":"text","text":"s1"},{"type":"text","text":"s2"}],
         "messages":[{"role":"user","content":"a"},{"role":"system","content":"reminder"},
                     {"role":"user","content":"b"}]}""");

    Outcome outcome = InjectionPoints.apply(request, List.of(Point.forRole("system")));

    assertThat(outcome.injected()).isEqualTo(2);
    assertThat(request.at("/system/0").has("cache_control")).isFalse();
    assertThat(request.at("/system/1/cache_control")).isEqualTo(json("{\"type\":\"ephemeral\"}"));
    assertThat(request.at("/messages/1/content")).isEqualTo(json("""
        [{"type":"text","text":"reminder","cache_control":{"type":"ephemeral"}}]"""));
  }

  @Test
  void stringSystemBecomesOneMarkedBlock() throws Exception {
    ObjectNode request = request("""
        {"system":"be brief","messages":[{"role":"user","content":"a"}]}""");

    InjectionPoints.apply(request, List.of(Point.forRole("system")));

    assertThat(request.get("system")).isEqualTo(json("""
        [{"type":"text","text":"be brief","cache_control":{"type":"ephemeral"}}]"""));
  }

  @Test
  void clientMarkerIsKeptAndNotDuplicated() throws Exception {
    ObjectNode request = request("""
        {"messages":[{"role":"user","content":[{"type":"text","text":"a","cache_control":{"type":"ephemeral","ttl":"1h"}},
                                               {"type":"text","text":"b"}]},
                     {"role":"user","content":"c","cache_control":{"type":"ephemeral"}}]}""");
    ObjectNode before = request.deepCopy();

    Outcome outcome = InjectionPoints.apply(request, List.of(Point.forRole("user")));

    assertThat(outcome).isEqualTo(new Outcome(0, 2, 0));
    assertThat(request).isEqualTo(before);
  }

  @Test
  void neverMoreThanFourMarkersCountingTheClients() throws Exception {
    // The client already marks a tool, a system block and the request: one slot is left.
    ObjectNode request = request("""
        {"cache_control":{"type":"ephemeral"},
         "tools":[{"name":"t","input_schema":{},"cache_control":{"type":"ephemeral"}}],
         "system":[{"type":"text","text":"s","cache_control":{"type":"ephemeral"}}],
         "messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"},{"role":"user","content":"c"}]}""");

    Outcome outcome = InjectionPoints.apply(request,
        List.of(Point.atIndex(-1), Point.forRole("user"), Point.forRole("assistant")));

    assertThat(outcome).isEqualTo(new Outcome(1, 1, 2));
    assertThat(InjectionPoints.countMarkers(request)).isEqualTo(4);
    assertThat(request.at("/messages/2/content/0/cache_control").isObject()).isTrue();
    assertThat(request.at("/messages/0/content").isTextual()).isTrue();
    assertThat(request.at("/messages/1/content").isTextual()).isTrue();
  }

  @Test
  void pointsApplyInConfiguredOrderUntilTheCap() throws Exception {
    ObjectNode request = request("""
        {"messages":[{"role":"user","content":"1"},{"role":"assistant","content":"2"},{"role":"user","content":"3"},
                     {"role":"assistant","content":"4"},{"role":"user","content":"5"}]}""");

    Outcome outcome = InjectionPoints.apply(request, List.of(Point.forRole("user"), Point.forRole("assistant")));

    // Every user message first, then the first assistant message takes the last slot.
    assertThat(outcome).isEqualTo(new Outcome(4, 0, 1));
    assertThat(request.at("/messages/1/content/0/cache_control").isObject()).isTrue();
    assertThat(request.at("/messages/3/content").isTextual()).isTrue();
  }

  @Test
  void emptyContentAndTrailingThinkingAreNotMarked() throws Exception {
    ObjectNode request = request("""
        {"messages":[{"role":"user","content":""},
                     {"role":"assistant","content":[{"type":"text","text":"x"},
                                                    {"type":"thinking","thinking":"y","signature":"z"}]},
                     {"role":"user","content":[]}]}""");
    ObjectNode before = request.deepCopy();

    Outcome outcome = InjectionPoints.apply(request,
        List.of(Point.forRole("user"), Point.forRole("assistant")));

    assertThat(outcome).isEqualTo(new Outcome(0, 0, 0));
    assertThat(request).isEqualTo(before);
  }

  @Test
  void injectedMarkersBecomeBreakpointsWithoutChangingKeys() {
    ObjectNode request = new AgentConversation().request(3);
    PrefixChain before = PrefixChain.ofMessages(request, "scope");

    InjectionPoints.apply(request, List.of(Point.atIndex(-3)));
    PrefixChain after = PrefixChain.ofMessages(request, "scope");

    assertThat(after.key(after.size() - 1)).isEqualTo(before.key(before.size() - 1));
    assertThat(after.breakpoints()).hasSize(before.breakpoints().size() + 1);
  }

  @Test
  void pointsAreReadFromLiteLlmConfiguration() throws Exception {
    assertThat(Point.fromConfig(json("{\"location\":\"message\",\"role\":\"system\"}")))
        .contains(Point.forRole("system"));
    assertThat(Point.fromConfig(json("{\"location\":\"message\",\"index\":\"-1\"}")))
        .contains(Point.atIndex(-1));
    assertThat(Point.fromConfig(json("""
        {"location":"message","index":2,"role":"user","control":{"type":"ephemeral","ttl":"1h"}}""")))
        .contains(new Point("user", 2, CacheTtl.ONE_HOUR));
    assertThat(Point.fromConfig(json("{\"location\":\"message\",\"index\":\"last\",\"role\":\"user\"}")))
        .contains(Point.forRole("user"));
    assertThat(Point.fromConfig(json("{\"location\":\"tool_config\"}"))).isEmpty();
  }
}
