package dev.affinity.router.cache;

import static dev.affinity.router.cache.AgentConversation.JSON;
import static dev.affinity.router.cache.AgentConversation.marker;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrefixChainTest {

  private static final String SCOPE = "tenant-a/claude-sonnet";

  private static PrefixChain chain(JsonNode request) {
    return PrefixChain.ofMessages(request, SCOPE);
  }

  private static List<String> keys(PrefixChain chain) {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < chain.size(); i++) {
      keys.add(chain.key(i));
    }
    return keys;
  }

  private static JsonNode parse(String json) throws Exception {
    return JSON.readTree(json);
  }

  @Test
  void agentRequestHasOneBlockPerToolSystemBlockAndContentBlock() {
    PrefixChain chain = chain(new AgentConversation().request(2));

    // 15 preamble blocks; turn 0: user 1 + assistant 2; turn 1: user 2 + assistant 2 + system message 1; turn 2: 2.
    assertThat(chain.size()).isEqualTo(15 + 3 + 5 + 2);
    assertThat(chain.breakpoints()).containsExactly(
        new Breakpoint(13, CacheTtl.FIVE_MINUTES),
        new Breakpoint(14, CacheTtl.FIVE_MINUTES),
        new Breakpoint(23, CacheTtl.FIVE_MINUTES));
    assertThat(keys(chain)).doesNotHaveDuplicates().allSatisfy(key -> assertThat(key).hasSize(23).startsWith(PrefixKey.VERSION));
  }

  @Test
  void varyingTheLastUserTurnKeepsEveryEarlierKey() {
    PrefixChain one = chain(new AgentConversation().lastTask("Run the tests.").request(4));
    PrefixChain other = chain(new AgentConversation().lastTask("Write the release notes.").request(4));

    int lastText = one.size() - 1;
    assertThat(keys(other).subList(0, lastText)).isEqualTo(keys(one).subList(0, lastText));
    assertThat(other.key(lastText)).isNotEqualTo(one.key(lastText));
    // Breakpoints before the last turn keep their keys, and so does the last one (it is on the tool_result block).
    for (Breakpoint breakpoint : one.breakpoints()) {
      assertThat(other.key(breakpoint.block())).isEqualTo(one.key(breakpoint.block()));
    }
  }

  @Test
  void earlierTurnResentAsStringHashesLikeItsListForm() {
    PrefixChain listForm = chain(new AgentConversation().request(3));
    PrefixChain stringForm = chain(new AgentConversation().firstTurnAsString().request(3));

    assertThat(keys(stringForm)).isEqualTo(keys(listForm));
    assertThat(stringForm.totalTokens()).isEqualTo(listForm.totalTokens());
  }

  @Test
  void stringSystemHashesLikeOneTextBlock() throws Exception {
    PrefixChain string = chain(parse("""
        {"system":"Be brief.","messages":[{"role":"user","content":"hi"}]}"""));
    PrefixChain list = chain(parse("""
        {"system":[{"type":"text","text":"Be brief."}],
         "messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]}"""));

    assertThat(keys(string)).isEqualTo(keys(list));
  }

  @Test
  void editedEarlierBlockChangesItsKeyAndEveryKeyAfterIt() {
    AgentConversation original = new AgentConversation();
    PrefixChain before = chain(original.request(4));
    PrefixChain edited = chain(new AgentConversation().editTurnOne("A different task altogether.").request(4));

    int turnOneText = AgentConversation.preambleBlocks() + 3 + 1;
    assertThat(keys(edited).subList(0, turnOneText)).isEqualTo(keys(before).subList(0, turnOneText));
    for (int i = turnOneText; i < before.size(); i++) {
      assertThat(edited.key(i)).as("block %d", i).isNotEqualTo(before.key(i));
    }
  }

  @Test
  void changedToolChangesEveryKey() {
    PrefixChain before = chain(new AgentConversation().request(3));
    PrefixChain changed = chain(new AgentConversation().editFirstTool("Reads a file.").request(3));

    for (int i = 0; i < before.size(); i++) {
      assertThat(changed.key(i)).as("block %d", i).isNotEqualTo(before.key(i));
    }
  }

  @Test
  void keyOrderWhitespaceAndNumberSpellingDoNotChangeKeys() throws Exception {
    PrefixChain compact = chain(parse("""
        {"tools":[{"name":"Read","input_schema":{"type":"object","properties":{"n":{"type":"integer","maximum":10}}}}],
         "messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]}"""));
    PrefixChain spaced = chain(parse("""
        {
          "messages" : [ { "content" : [ { "text" : "hi", "type" : "text" } ], "role" : "user" } ],
          "tools" : [ { "input_schema" : { "properties" : { "n" : { "maximum" : 10.0, "type" : "integer" } },
                                           "type" : "object" },
                        "name" : "Read" } ]
        }"""));

    assertThat(keys(spaced)).isEqualTo(keys(compact));
  }

  @Test
  void movingCacheControlDoesNotChangeAnyKey() {
    ObjectNode markedLast = new AgentConversation().request(3);
    ObjectNode markedElsewhere = markedLast.deepCopy();
    ArrayNode messages = (ArrayNode) markedElsewhere.get("messages");
    ((ObjectNode) messages.get(messages.size() - 1).get("content").get(0)).remove("cache_control");
    ((ObjectNode) messages.get(1).get("content").get(0)).set("cache_control", marker());
    ((ObjectNode) markedElsewhere.get("tools").get(11)).set("cache_control", marker());

    PrefixChain last = chain(markedLast);
    PrefixChain elsewhere = chain(markedElsewhere);

    assertThat(keys(elsewhere)).isEqualTo(keys(last));
    assertThat(elsewhere.breakpoints()).extracting(Breakpoint::block).containsExactly(11, 13, 14, 16);
  }

  @Test
  void roleIsPartOfTheKey() throws Exception {
    PrefixChain user = chain(parse("""
        {"messages":[{"role":"user","content":"same words"}]}"""));
    PrefixChain assistant = chain(parse("""
        {"messages":[{"role":"assistant","content":"same words"}]}"""));

    assertThat(assistant.key(0)).isNotEqualTo(user.key(0));
  }

  @Test
  void sectionIsPartOfTheKey() throws Exception {
    PrefixChain system = chain(parse("""
        {"system":"same words","messages":[]}"""));
    PrefixChain message = chain(parse("""
        {"messages":[{"role":"","content":"same words"}]}"""));

    assertThat(message.key(0)).isNotEqualTo(system.key(0));
  }

  @Test
  void scopeSeedIsPartOfTheKey() {
    ObjectNode request = new AgentConversation().request(1);

    PrefixChain a = PrefixChain.ofMessages(request, "tenant-a/claude-sonnet");
    PrefixChain b = PrefixChain.ofMessages(request, "tenant-b/claude-sonnet");

    for (int i = 0; i < a.size(); i++) {
      assertThat(b.key(i)).isNotEqualTo(a.key(i));
    }
  }

  @Test
  void messageLevelMarkerAppliesToTheMessagesLastBlock() throws Exception {
    PrefixChain chain = chain(parse("""
        {"messages":[
          {"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}],
           "cache_control":{"type":"ephemeral","ttl":"1h"}},
          {"role":"assistant","content":"c"}]}"""));

    assertThat(chain.breakpoints()).containsExactly(new Breakpoint(1, CacheTtl.ONE_HOUR));
  }

  @Test
  void topLevelMarkerAppliesToTheLastBlockOfTheRequest() throws Exception {
    PrefixChain chain = chain(parse("""
        {"cache_control":{"type":"ephemeral"},
         "system":[{"type":"text","text":"s","cache_control":{"type":"ephemeral","ttl":"1h"}}],
         "messages":[{"role":"user","content":"a"},{"role":"assistant","content":[]},
                     {"role":"user","content":[{"type":"text","text":"b"},{"type":"image","source":{}}]}]}"""));

    assertThat(chain.size()).isEqualTo(4);
    assertThat(chain.breakpoints()).containsExactly(
        new Breakpoint(0, CacheTtl.ONE_HOUR), new Breakpoint(3, CacheTtl.FIVE_MINUTES));
  }

  @Test
  void blockMarkedTwiceKeepsTheLongerTtl() throws Exception {
    PrefixChain chain = chain(parse("""
        {"messages":[{"role":"user","content":[{"type":"text","text":"a","cache_control":{"type":"ephemeral"}}],
                      "cache_control":{"type":"ephemeral","ttl":"1h"}}]}"""));

    assertThat(chain.breakpoints()).containsExactly(new Breakpoint(0, CacheTtl.ONE_HOUR));
  }

  @Test
  void tokenEstimateIsCumulativeWithPerMessageOverhead() throws Exception {
    PrefixChain chain = chain(parse("""
        {"system":"12345678",
         "messages":[{"role":"user","content":[{"type":"text","text":"123456789"},{"type":"text","text":"1234"}]},
                     {"role":"assistant","content":[{"type":"tool_use","id":"t","name":"n","input":{}}]}]}"""));

    // system: ceil(8/4)=2; user: 3 + ceil(9/4)=3, then ceil(4/4)=1; assistant: 3 + ceil(len(canonical)/4).
    String toolUse = "{\"id\":\"t\",\"input\":{},\"name\":\"n\",\"type\":\"tool_use\"}";
    assertThat(chain.tokensThrough(0)).isEqualTo(2);
    assertThat(chain.tokensThrough(1)).isEqualTo(2 + 3 + 3);
    assertThat(chain.tokensThrough(2)).isEqualTo(2 + 3 + 3 + 1);
    assertThat(chain.tokensThrough(3)).isEqualTo(2 + 3 + 3 + 1 + 3 + (toolUse.length() + 3) / 4);
    assertThat(chain.totalTokens()).isEqualTo(chain.tokensThrough(3));
  }

  @Test
  void messageWithoutBlocksStillCountsItsOverhead() throws Exception {
    PrefixChain chain = chain(parse("""
        {"messages":[{"role":"user","content":"abcd"},{"role":"assistant","content":[]},
                     {"role":"user","content":"abcd"}]}"""));

    assertThat(chain.size()).isEqualTo(2);
    assertThat(chain.tokensThrough(1)).isEqualTo((3 + 1) + 3 + (3 + 1));
  }

  @Test
  void requestWithoutPromptIsAnEmptyChain() throws Exception {
    PrefixChain chain = chain(parse("""
        {"system":{"unexpected":"object"},"messages":[{"role":"user","content":{"odd":true}}],
         "cache_control":{"type":"ephemeral"}}"""));

    assertThat(chain.size()).isZero();
    assertThat(chain.breakpoints()).isEmpty();
    assertThat(chain.totalTokens()).isZero();
  }

  @Test
  void buildingAChainLeavesTheRequestUntouched() {
    ObjectNode request = new AgentConversation().request(3);
    ObjectNode copy = request.deepCopy();

    chain(request);

    assertThat(request).isEqualTo(copy);
  }
}
