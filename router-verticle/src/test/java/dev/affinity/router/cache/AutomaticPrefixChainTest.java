package dev.affinity.router.cache;

import dev.affinity.model.RouteKind;
import static dev.affinity.router.cache.ChatConversation.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class AutomaticPrefixChainTest {

  private static final String SCOPE = "tenant-a\u0000gpt";
  private static final int MINIMUM = 1024;
  private static final Set<String> SIX = new LinkedHashSet<>(List.of("d0", "d1", "d2", "d3", "d4", "d5"));
  /** Blocks before the first user message: the tools and the system prompt's three chunks. */
  private static final int PREAMBLE = ChatConversation.TOOLS + 3;

  /** Routes one request as the policy does: lookup, decision, writes. */
  private static Routed route(InMemoryPins pins, AutomaticPrefixChain chain, Supplier<String> strategy) {
    LookupPlan lookup = chain.lookupPlan(MINIMUM);
    AffinityDecision decision = AffinityDecision.decide(lookup, chain.pinPlan(MINIMUM),
        pins.getAll(lookup.keys()), SIX, strategy);
    return new Routed(decision, pins.apply(decision));
  }

  private record Routed(AffinityDecision decision, String deploymentId) {
  }

  private static AutomaticPrefixChain chain(JsonNode request) {
    return AutomaticPrefixChain.ofChatCompletions(request, SCOPE);
  }

  private static List<String> keys(AutomaticPrefixChain chain) {
    return IntStream.range(0, chain.size()).mapToObj(chain::key).toList();
  }

  private static Supplier<String> roundRobin(AtomicInteger calls) {
    List<String> ids = List.copyOf(SIX);
    return () -> ids.get(calls.getAndIncrement() % ids.size());
  }

  private static Supplier<String> fixed(String deploymentId) {
    return () -> deploymentId;
  }

  private static JsonNode parse(String json) throws Exception {
    return JSON.readTree(json);
  }

  private static int blockOf(AutomaticPrefixChain chain, String key) {
    return IntStream.range(0, chain.size()).filter(i -> chain.key(i).equals(key)).findFirst().orElseThrow();
  }

  @Test
  void growingConversationOfNineTurnsStaysOnOneOfSixDeployments() {
    InMemoryPins pins = new InMemoryPins();
    AtomicInteger strategyCalls = new AtomicInteger();
    ChatConversation conversation = new ChatConversation();
    String first = null;
    String previousEnd = null;

    for (int n = 0; n < 9; n++) {
      AutomaticPrefixChain chain = chain(conversation.request(n));
      Routed routed = route(pins, chain, roundRobin(strategyCalls));

      if (first == null) {
        first = routed.deploymentId();
        assertThat(routed.decision().kind()).isEqualTo(RouteKind.CLAIMED);
      } else {
        assertThat(routed.decision().kind()).as("turn %d", n).isEqualTo(RouteKind.PINNED);
        // The previous request's end, four messages back, is the longest pin found.
        assertThat(routed.decision().pinnedBlock()).as("turn %d", n).hasValue(blockOf(chain, previousEnd));
      }
      assertThat(routed.deploymentId()).as("turn %d", n).isEqualTo(first);
      previousEnd = chain.key(chain.size() - 1);
      assertThat(pins.entries()).containsEntry(previousEnd, first);
    }
    assertThat(strategyCalls).hasValue(1);
    // Thinned: request ends and strides, not every boundary of every request.
    int boundaries = chain(conversation.request(8)).size();
    assertThat(pins.entries()).hasSizeLessThan(boundaries).containsValue(first).doesNotContainValue("d1");
  }

  @Test
  void turnAppendingAHugeToolResultStillFindsThePreviousEnd() {
    // 400,000 characters: about 200 chunks, far more than the strides a lookup fetches.
    ChatConversation conversation = new ChatConversation().toolOutput(3, 400_000);
    AutomaticPrefixChain before = chain(conversation.request(3));
    AutomaticPrefixChain after = chain(conversation.request(4));
    InMemoryPins pins = new InMemoryPins();
    String deployment = route(pins, before, fixed("d2")).deploymentId();

    Routed routed = route(pins, after, fixed("d5"));

    assertThat(after.lookupPlan(MINIMUM).keys()).hasSizeLessThanOrEqualTo(AutomaticPrefixChain.MAX_PROBES)
        .contains(before.key(before.size() - 1));
    assertThat(routed.decision().kind()).isEqualTo(RouteKind.PINNED);
    assertThat(routed.decision().pinnedBlock()).hasValue(blockOf(after, before.key(before.size() - 1)));
    assertThat(routed.deploymentId()).isEqualTo(deployment);
  }

  @Test
  void promptGrowingInsideOneMessageFollowsItsChunks() {
    // A transcript flattened into one user message, longer at every turn.
    InMemoryPins pins = new InMemoryPins();
    AtomicInteger strategyCalls = new AtomicInteger();
    StringBuilder transcript = new StringBuilder("Summarise this log.\n" + "line of log output\n".repeat(300));
    String first = null;
    for (int turn = 0; turn < 9; turn++) {
      ObjectNode request = JSON.createObjectNode();
      request.putArray("messages").addObject().put("role", "user").put("content", transcript.toString());
      Routed routed = route(pins, chain(request), roundRobin(strategyCalls));
      first = first == null ? routed.deploymentId() : first;
      assertThat(routed.deploymentId()).as("turn %d", turn).isEqualTo(first);
      transcript.append("more output ".repeat(150));
    }
    assertThat(strategyCalls).hasValue(1);
  }

  @Test
  void stringAndTextPartContentHashAlike() {
    ChatConversation strings = new ChatConversation();
    ChatConversation parts = new ChatConversation().partsContent();

    assertThat(keys(chain(parts.request(3)))).isEqualTo(keys(chain(strings.request(3))));
    // The long system prompt is chunked alike in both forms.
    assertThat(chain(parts.request(0)).size()).isEqualTo(PREAMBLE + 1);
  }

  @Test
  void cacheControlOnPartsMessagesAndToolsDoesNotChangeKeys() {
    ObjectNode plain = new ChatConversation().partsContent().request(2);
    ObjectNode marked = plain.deepCopy();
    ArrayNode messages = (ArrayNode) marked.get("messages");
    ObjectNode ephemeral = JSON.createObjectNode().put("type", "ephemeral");
    ((ObjectNode) messages.get(0).get("content").get(0)).set("cache_control", ephemeral);
    ((ObjectNode) messages.get(messages.size() - 1)).set("cache_control", ephemeral);
    ((ObjectNode) marked.get("tools").get(5)).set("cache_control", ephemeral);

    assertThat(keys(chain(marked))).isEqualTo(keys(chain(plain)));
  }

  @Test
  void editingAnEarlyMessageMissesFromThereOn() {
    ChatConversation original = new ChatConversation();
    ChatConversation edited = new ChatConversation().editTurnOne("A different task altogether.");
    AutomaticPrefixChain before = chain(original.request(4));
    AutomaticPrefixChain after = chain(edited.request(4));
    // Tools, system chunks, turn 0 (user; tool call; tool result: content and tool_call_id; answer), then turn 1.
    int turnOne = PREAMBLE + 5;

    assertThat(keys(after).subList(0, turnOne)).isEqualTo(keys(before).subList(0, turnOne));
    for (int i = turnOne; i < before.size(); i++) {
      assertThat(after.key(i)).as("block %d", i).isNotEqualTo(before.key(i));
    }

    // Pins left by the original conversation: the edited one only finds a prefix before the edit.
    InMemoryPins pins = new InMemoryPins();
    for (int n = 0; n <= 4; n++) {
      route(pins, chain(original.request(n)), fixed("d1"));
    }
    Routed routed = route(pins, chain(edited.request(5)), fixed("d4"));
    assertThat(routed.decision().pinnedBlock()).isPresent();
    assertThat(routed.decision().pinnedBlock().getAsInt()).isLessThan(turnOne);
    assertThat(routed.decision().claims()).extracting(AffinityDecision.Claim::block)
        .allSatisfy(block -> assertThat(block).isGreaterThanOrEqualTo(turnOne));
  }

  @Test
  void longSystemPromptYieldsSeveralBoundariesAndAppendingKeepsEarlierChunkKeys() throws Exception {
    String text = "0123456789abcdef".repeat(128 * 5) + "tail";
    AutomaticPrefixChain chain = chain(parse("{\"messages\":[{\"role\":\"system\",\"content\":\"" + text + "\"}]}"));
    AutomaticPrefixChain appended = chain(parse(
        "{\"messages\":[{\"role\":\"system\",\"content\":\"" + text + " and more instructions\"}]}"));

    // Five full chunks of 2,048 characters and the tail.
    assertThat(chain.size()).isEqualTo(6);
    assertThat(IntStream.range(0, 5).mapToLong(chain::tokensThrough))
        .containsExactly(3L + 512, 3L + 1024, 3L + 1536, 3L + 2048, 3L + 2560);
    assertThat(IntStream.range(0, 5).filter(chain::isStride)).hasSize(5);
    assertThat(keys(appended).subList(0, 5)).isEqualTo(keys(chain).subList(0, 5));
    assertThat(appended.key(5)).isNotEqualTo(chain.key(5));
    // Every full chunk past the minimum is looked up and pinned.
    assertThat(chain.pinPlan(MINIMUM).pins()).extracting(PinPlan.Pin::block).containsExactly(5, 4, 3, 2, 1);
  }

  @Test
  void chunkSizeIsAParameter() {
    ObjectNode request = new ChatConversation().request(0);

    AutomaticPrefixChain coarse = AutomaticPrefixChain.ofChatCompletions(request, SCOPE, 512);
    AutomaticPrefixChain fine = AutomaticPrefixChain.ofChatCompletions(request, SCOPE, 256);

    // 5,904 characters of system prompt: 3 chunks of 2,048, or 6 of 1,024.
    assertThat(fine.size()).isEqualTo(coarse.size() + 3);
    assertThat(fine.totalTokens()).isEqualTo(coarse.totalTokens());
    assertThatThrownBy(() -> AutomaticPrefixChain.ofChatCompletions(request, SCOPE, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void chunkNeverSplitsASurrogatePair() throws Exception {
    String head = "a".repeat(2047) + "\uD83D\uDE00";
    AutomaticPrefixChain exact = chain(JSON.createObjectNode().set("messages", JSON.createArrayNode()
        .add(JSON.createObjectNode().put("role", "user").put("content", head))));
    AutomaticPrefixChain longer = chain(JSON.createObjectNode().set("messages", JSON.createArrayNode()
        .add(JSON.createObjectNode().put("role", "user").put("content", head + "b".repeat(10)))));

    assertThat(exact.size()).isEqualTo(1);
    assertThat(longer.size()).isEqualTo(2);
    assertThat(longer.key(0)).isEqualTo(exact.key(0));
  }

  @Test
  void promptUnderTheMinimumPinsNothing() throws Exception {
    AutomaticPrefixChain chain = chain(parse("""
        {"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"hi"}]}"""));

    assertThat(chain.lookupPlan(MINIMUM).isEmpty()).isTrue();
    assertThat(chain.pinPlan(MINIMUM).isEmpty()).isTrue();
    AffinityDecision decision = AffinityDecision.decide(chain.lookupPlan(MINIMUM), chain.pinPlan(MINIMUM), Map.of(),
        SIX, fixed("d3"));
    assertThat(decision.kind()).isEqualTo(RouteKind.UNPINNED);
    assertThat(decision.writes()).isFalse();
  }

  @Test
  void onlyBoundariesPastTheMinimumAreLookedUp() {
    AutomaticPrefixChain chain = chain(new ChatConversation().request(2));

    LookupPlan lookup = chain.lookupPlan(MINIMUM);

    assertThat(lookup.probes()).isNotEmpty().allSatisfy(probe -> {
      assertThat(chain.tokensThrough(probe.block())).isGreaterThanOrEqualTo(MINIMUM);
      assertThat(probe.key()).isEqualTo(chain.key(probe.block()));
    });
    assertThat(lookup.probes().get(0).block()).isEqualTo(chain.size() - 1);
  }

  @Test
  void promptCacheKeyPinsEvenShortPromptsAndDiffersAcrossKeysAndTenants() throws Exception {
    JsonNode request = parse("""
        {"prompt_cache_key":"user-42","messages":[{"role":"user","content":"hi"}]}""");
    AutomaticPrefixChain chain = chain(request);
    String pinKey = PromptCacheKey.pinKey(SCOPE, "user-42");

    assertThat(chain.hasPromptCacheKey()).isTrue();
    assertThat(chain.key(0)).isEqualTo(pinKey);
    assertThat(chain.tokensThrough(0)).isZero();
    assertThat(chain.lookupPlan(MINIMUM).keys()).containsExactly(pinKey);
    assertThat(chain.pinPlan(MINIMUM).pins()).containsExactly(new PinPlan.Pin(pinKey, 0, CacheTtl.FIVE_MINUTES));
    assertThat(PromptCacheKey.pinKey(SCOPE, "user-43")).isNotEqualTo(pinKey);
    assertThat(PromptCacheKey.pinKey("tenant-b\u0000gpt", "user-42")).isNotEqualTo(pinKey);
    assertThat(PromptCacheKey.pinKey(SCOPE + "u", "ser-42")).isNotEqualTo(pinKey);
    assertThat(pinKey).hasSize(23).startsWith(PrefixKey.VERSION).isNotEqualTo(chain.key(1));

    // Two short requests with one key, routed by different strategies, land on one deployment.
    InMemoryPins pins = new InMemoryPins();
    assertThat(route(pins, chain, fixed("d2")).decision().kind()).isEqualTo(RouteKind.CLAIMED);
    Routed second = route(pins, chain(parse("""
        {"prompt_cache_key":"user-42","messages":[{"role":"user","content":"something else"}]}""")), fixed("d4"));
    assertThat(second.decision().kind()).isEqualTo(RouteKind.PINNED);
    assertThat(second.deploymentId()).isEqualTo("d2");
  }

  @Test
  void promptCacheKeyDoesNotChangePrefixKeys() {
    AutomaticPrefixChain without = chain(new ChatConversation().request(2));
    AutomaticPrefixChain with = chain(new ChatConversation().promptCacheKey("session-7").request(2));

    assertThat(with.size()).isEqualTo(without.size() + 1);
    assertThat(keys(with).subList(1, with.size())).isEqualTo(keys(without));
    assertThat(with.lookupPlan(MINIMUM).keys()).endsWith(PromptCacheKey.pinKey(SCOPE, "session-7"))
        .hasSize(without.lookupPlan(MINIMUM).keys().size() + 1);
  }

  @Test
  void longerPrefixPinWinsOverThePromptCacheKey() {
    AutomaticPrefixChain chain = chain(new ChatConversation().promptCacheKey("session-7").request(2));
    LookupPlan lookup = chain.lookupPlan(MINIMUM);
    String prefix = lookup.keys().get(lookup.keys().size() - 2);

    AffinityDecision decision = AffinityDecision.decide(lookup, chain.pinPlan(MINIMUM),
        Map.of(chain.key(0), "d3", prefix, "d1"), SIX, fixed("d0"));

    assertThat(decision.kind()).isEqualTo(RouteKind.PINNED);
    assertThat(decision.deploymentId()).isEqualTo("d1");
    // The key stays with its own deployment: neither refreshed for d1 nor replaced.
    assertThat(decision.refreshes()).extracting(AffinityDecision.Refresh::key).containsExactly(prefix);
    assertThat(decision.replacements()).isEmpty();
  }

  @Test
  void loserOfARaceOnThePromptCacheKeyFollowsTheWinner() throws Exception {
    AutomaticPrefixChain chain = chain(parse("""
        {"prompt_cache_key":"k","messages":[{"role":"user","content":"hi"}]}"""));
    InMemoryPins pins = new InMemoryPins();
    LookupPlan lookup = chain.lookupPlan(MINIMUM);
    AffinityDecision first = AffinityDecision.decide(lookup, chain.pinPlan(MINIMUM), pins.getAll(lookup.keys()),
        SIX, fixed("d1"));
    AffinityDecision second = AffinityDecision.decide(lookup, chain.pinPlan(MINIMUM), pins.getAll(lookup.keys()),
        SIX, fixed("d4"));

    assertThat(pins.apply(first)).isEqualTo("d1");
    assertThat(pins.apply(second)).isEqualTo("d1");
  }

  @Test
  void toolsChangeKeys() {
    AutomaticPrefixChain before = chain(new ChatConversation().request(2));
    AutomaticPrefixChain changed = chain(new ChatConversation().editFirstTool("Reads a file.").request(2));
    ObjectNode reordered = new ChatConversation().request(2);
    ArrayNode tools = (ArrayNode) reordered.get("tools");
    tools.insert(0, tools.remove(5));
    ObjectNode withoutTools = new ChatConversation().request(2);
    withoutTools.remove("tools");

    for (int i = 0; i < before.size(); i++) {
      assertThat(changed.key(i)).as("block %d", i).isNotEqualTo(before.key(i));
    }
    assertThat(chain(reordered).key(before.size() - 1)).isNotEqualTo(before.key(before.size() - 1));
    assertThat(keys(chain(withoutTools))).doesNotContainAnyElementsOf(keys(before));
  }

  @Test
  void responseFormatSchemaIsPartOfThePrefix() throws Exception {
    JsonNode schemaA = parse("""
        {"response_format":{"type":"json_schema","json_schema":{"name":"a","schema":{"type":"object"}}},
         "messages":[{"role":"user","content":"hi"}]}""");
    JsonNode schemaB = parse("""
        {"response_format":{"type":"json_schema","json_schema":{"name":"b","schema":{"type":"object"}}},
         "messages":[{"role":"user","content":"hi"}]}""");
    JsonNode text = parse("""
        {"response_format":{"type":"text"},"messages":[{"role":"user","content":"hi"}]}""");
    JsonNode none = parse("""
        {"messages":[{"role":"user","content":"hi"}]}""");

    assertThat(chain(schemaA).key(1)).isNotEqualTo(chain(schemaB).key(1));
    assertThat(keys(chain(text))).isEqualTo(keys(chain(none)));
  }

  @Test
  void roleFramingAndOtherMessageFieldsArePartOfTheIdentity() throws Exception {
    AutomaticPrefixChain user = chain(parse("""
        {"messages":[{"role":"user","content":"same words"}]}"""));
    AutomaticPrefixChain assistant = chain(parse("""
        {"messages":[{"role":"assistant","content":"same words"}]}"""));
    AutomaticPrefixChain twoMessages = chain(parse("""
        {"messages":[{"role":"user","content":"a"},{"role":"user","content":"b"}]}"""));
    AutomaticPrefixChain twoParts = chain(parse("""
        {"messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}]}"""));
    AutomaticPrefixChain callA = chain(parse("""
        {"messages":[{"role":"assistant","content":null,
          "tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{\\"x\\":1}"}}]}]}"""));
    AutomaticPrefixChain callB = chain(parse("""
        {"messages":[{"role":"assistant","content":null,
          "tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{\\"x\\":2}"}}]}]}"""));

    assertThat(assistant.key(0)).isNotEqualTo(user.key(0));
    assertThat(twoMessages.key(1)).isNotEqualTo(twoParts.key(1));
    assertThat(twoMessages.endsMessage(0)).isTrue();
    assertThat(twoParts.endsMessage(0)).isFalse();
    assertThat(callA.key(0)).isNotEqualTo(callB.key(0));
  }

  @Test
  void emptyContentFormsHashAlikeButAnEmptyMessageStillCounts() throws Exception {
    List<List<String>> forms = new ArrayList<>();
    for (String content : List.of("\"content\":\"\",", "\"content\":null,", "\"content\":[],", "")) {
      forms.add(keys(chain(parse("{\"messages\":[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"assistant\","
          + content + "\"refusal\":null},{\"role\":\"user\",\"content\":\"b\"}]}"))));
    }
    AutomaticPrefixChain withoutEmpty = chain(parse("""
        {"messages":[{"role":"user","content":"a"},{"role":"user","content":"b"}]}"""));

    assertThat(forms).allSatisfy(form -> assertThat(form).isEqualTo(forms.get(0)));
    assertThat(forms.get(0)).hasSize(3).doesNotContain(withoutEmpty.key(1));
  }

  @Test
  void lookupIsCappedAndEveryPinIsLookedUp() {
    ChatConversation conversation = new ChatConversation().promptCacheKey("k");
    for (int turn = 0; turn < 60; turn++) {
      conversation.toolOutput(turn, 3_000);
    }
    AutomaticPrefixChain chain = chain(conversation.request(60));

    LookupPlan lookup = chain.lookupPlan(MINIMUM);
    PinPlan plan = chain.pinPlan(MINIMUM);

    assertThat(lookup.keys()).hasSizeLessThanOrEqualTo(AutomaticPrefixChain.MAX_PROBES + 1).doesNotHaveDuplicates();
    assertThat(lookup.probes()).extracting(LookupPlan.Probe::block)
        .isSortedAccordingTo((a, b) -> Integer.compare(b, a)).endsWith(0);
    assertThat(lookup.keys()).containsAll(plan.pins().stream().map(PinPlan.Pin::key).toList());
    assertThat(plan.pins()).extracting(PinPlan.Pin::block)
        .contains(chain.size() - 1, 0)
        .allSatisfy(block -> assertThat(block == 0 || block == chain.size() - 1 || chain.isStride(block)).isTrue());
    // The beginning of the prompt (the system prompt's chunks past the minimum) stays looked up.
    assertThat(lookup.probes()).extracting(LookupPlan.Probe::block).contains(PREAMBLE - 1);
  }

  @Test
  void ttlFollowsPromptCacheRetentionOrTheParameter() {
    ObjectNode inMemory = new ChatConversation().request(1);
    ObjectNode extended = inMemory.deepCopy().put("prompt_cache_retention", "24h");

    assertThat(chain(inMemory).pinPlan(MINIMUM).pins()).extracting(PinPlan.Pin::ttl)
        .isNotEmpty().containsOnly(CacheTtl.FIVE_MINUTES);
    assertThat(chain(extended).lookupPlan(MINIMUM).probes()).extracting(LookupPlan.Probe::ttl)
        .isNotEmpty().containsOnly(CacheTtl.TWENTY_FOUR_HOURS);
    assertThat(chain(extended).pinPlan(MINIMUM).pins()).extracting(PinPlan.Pin::ttl)
        .containsOnly(CacheTtl.TWENTY_FOUR_HOURS);
    assertThat(AutomaticPrefixChain.ofChatCompletions(inMemory, SCOPE, 512, CacheTtl.ONE_HOUR).pinPlan(MINIMUM).pins())
        .extracting(PinPlan.Pin::ttl).containsOnly(CacheTtl.ONE_HOUR);
    assertThat(CacheTtl.ofRetention(inMemory.deepCopy().put("prompt_cache_retention", "in_memory")))
        .isEqualTo(CacheTtl.FIVE_MINUTES);
    assertThat(CacheTtl.TWENTY_FOUR_HOURS.duration().toHours()).isEqualTo(24);
    // A marker cannot ask for a day: Anthropic knows 5m and 1h only.
    assertThat(CacheTtl.ofMarker(JSON.createObjectNode().put("ttl", "24h"))).isEqualTo(CacheTtl.FIVE_MINUTES);
  }

  @Test
  void tokenEstimateIsCumulativeWithPerMessageOverhead() throws Exception {
    AutomaticPrefixChain chain = chain(parse("""
        {"tools":[{"type":"function","function":{"name":"f"}}],
         "messages":[{"role":"user","content":"123456789"},{"role":"assistant","content":"1234","name":"bot"}]}"""));

    String tool = "{\"function\":{\"name\":\"f\"},\"type\":\"function\"}";
    String fields = "{\"name\":\"bot\"}";
    long toolTokens = (tool.length() + 3) / 4;
    assertThat(chain.size()).isEqualTo(4);
    assertThat(chain.tokensThrough(0)).isEqualTo(toolTokens);
    assertThat(chain.tokensThrough(1)).isEqualTo(toolTokens + 3 + 3);
    assertThat(chain.tokensThrough(2)).isEqualTo(toolTokens + 3 + 3 + 3 + 1);
    assertThat(chain.totalTokens()).isEqualTo(toolTokens + 3 + 3 + 3 + 1 + (fields.length() + 3) / 4);
  }

  @Test
  void scopeSeedIsPartOfEveryKey() {
    ObjectNode request = new ChatConversation().request(1);

    AutomaticPrefixChain a = AutomaticPrefixChain.ofChatCompletions(request, "tenant-a\u0000gpt");
    AutomaticPrefixChain b = AutomaticPrefixChain.ofChatCompletions(request, "tenant-b\u0000gpt");

    assertThat(keys(b)).doesNotContainAnyElementsOf(keys(a));
  }

  @Test
  void buildingAChainLeavesTheRequestUntouched() {
    ObjectNode request = new ChatConversation().partsContent().promptCacheKey("k").request(3);
    ObjectNode copy = request.deepCopy();

    chain(request);

    assertThat(request).isEqualTo(copy);
  }
}
