package dev.affinity.router.cache;

import dev.affinity.model.RouteKind;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class AffinityDecisionTest {

  private static final String SCOPE = "tenant-a/claude-sonnet";
  private static final Set<String> SIX = new LinkedHashSet<>(List.of("d0", "d1", "d2", "d3", "d4", "d5"));

  private static AffinityDecision decide(PrefixChain chain, Map<String, String> found, Set<String> eligible,
                                         Supplier<String> fallback) {
    return AffinityDecision.decide(LookupPlan.of(chain), PinPlan.of(chain, 1024), found, eligible, fallback);
  }

  private static PrefixChain turn(int n) {
    return PrefixChain.ofMessages(new AgentConversation().request(n), SCOPE);
  }

  private static Supplier<String> fixed(String deploymentId) {
    return () -> deploymentId;
  }

  @Test
  void breakpointMovingForwardOverNineTurnsKeepsEveryTurnOnOneDeployment() {
    InMemoryPins pins = new InMemoryPins();
    AtomicInteger roundRobin = new AtomicInteger();
    List<String> ids = List.copyOf(SIX);
    Supplier<String> strategy = () -> ids.get(roundRobin.getAndIncrement() % ids.size());
    String first = null;
    String previousLastKey = null;

    for (int n = 1; n <= 9; n++) {
      PrefixChain chain = turn(n);
      LookupPlan lookup = LookupPlan.of(chain);
      AffinityDecision decision = AffinityDecision.decide(lookup, PinPlan.of(chain, 1024),
          pins.getAll(lookup.keys()), SIX, strategy);
      String routed = pins.apply(decision);

      if (first == null) {
        first = routed;
        assertThat(decision.kind()).isEqualTo(RouteKind.CLAIMED);
      } else {
        assertThat(decision.kind()).as("turn %d", n).isEqualTo(RouteKind.PINNED);
        // The previous turn's breakpoint, a few blocks back, is what this turn's lookup hit first.
        String previous = previousLastKey;
        assertThat(decision.pinnedBlock()).hasValue(lookup.probes().stream()
            .filter(probe -> probe.key().equals(previous)).findFirst().orElseThrow().block());
        assertThat(decision.refreshes()).extracting(AffinityDecision.Refresh::key).contains(previousLastKey);
      }
      assertThat(routed).as("turn %d", n).isEqualTo(first);
      Breakpoint last = chain.breakpoints().get(chain.breakpoints().size() - 1);
      previousLastKey = chain.key(last.block());
      assertThat(pins.entries()).containsEntry(previousLastKey, first);
    }
    // The strategy was asked once: every later turn followed the pin.
    assertThat(roundRobin.get()).isEqualTo(1);
  }

  @Test
  void longestPinToAnEligibleDeploymentWins() {
    PrefixChain chain = turn(3);
    LookupPlan lookup = LookupPlan.of(chain);
    String longest = lookup.keys().get(0);
    String shorter = lookup.keys().get(5);

    AffinityDecision decision = decide(chain, Map.of(longest, "d2", shorter, "d4"), SIX, fixed("d0"));

    assertThat(decision.kind()).isEqualTo(RouteKind.PINNED);
    assertThat(decision.deploymentId()).isEqualTo("d2");
    assertThat(decision.reason()).isEmpty();
    assertThat(decision.refreshes()).extracting(AffinityDecision.Refresh::key).containsExactly(longest);
    assertThat(decision.replacements()).isEmpty();
    // The breakpoint itself was pinned; the two system breakpoints were not and are claimed.
    assertThat(decision.claims()).extracting(AffinityDecision.Claim::block).containsExactly(14, 13);
  }

  @Test
  void longerPinToAnIneligibleDeploymentLosesToAShorterEligibleOneAndIsReplaced() {
    PrefixChain chain = turn(3);
    LookupPlan lookup = LookupPlan.of(chain);
    String longer = lookup.keys().get(0);
    String shorter = lookup.keys().get(3);
    Set<String> eligible = Set.of("d0", "d1", "d2");

    AffinityDecision decision = decide(chain, Map.of(longer, "d5", shorter, "d1"), eligible, fixed("d0"));

    assertThat(decision.kind()).isEqualTo(RouteKind.REPINNED);
    assertThat(decision.deploymentId()).isEqualTo("d1");
    assertThat(decision.reason()).hasValueSatisfying(reason -> assertThat(reason).contains("d5", "not eligible"));
    assertThat(decision.replacements()).containsExactly(new AffinityDecision.Replacement(
        longer, lookup.probes().get(0).block(), "d5", CacheTtl.FIVE_MINUTES));
    assertThat(decision.refreshes()).extracting(AffinityDecision.Refresh::key).containsExactly(shorter);
    assertThat(decision.pinnedBlock()).hasValue(lookup.probes().get(3).block());
  }

  @Test
  void onlyPinToAGoneDeploymentFallsBackAndIsReplaced() {
    PrefixChain chain = turn(2);
    String longest = LookupPlan.of(chain).keys().get(0);

    AffinityDecision decision = decide(chain, Map.of(longest, "removed"), SIX, fixed("d3"));

    assertThat(decision.kind()).isEqualTo(RouteKind.REPINNED);
    assertThat(decision.deploymentId()).isEqualTo("d3");
    assertThat(decision.replacements()).extracting(AffinityDecision.Replacement::staleDeploymentId)
        .containsExactly("removed");
    assertThat(decision.claims()).extracting(AffinityDecision.Claim::key).doesNotContain(longest).hasSize(2);
  }

  @Test
  void nothingFoundClaimsThePinPlanForTheFallbacksChoice() {
    PrefixChain chain = turn(2);

    AffinityDecision decision = decide(chain, Map.of(), SIX, fixed("d4"));

    assertThat(decision.kind()).isEqualTo(RouteKind.CLAIMED);
    assertThat(decision.deploymentId()).isEqualTo("d4");
    assertThat(decision.pinnedBlock()).isEmpty();
    assertThat(decision.claims()).extracting(AffinityDecision.Claim::key)
        .containsExactlyElementsOf(PinPlan.of(chain, 1024).pins().stream().map(PinPlan.Pin::key).toList());
  }

  @Test
  void nothingCacheableIsUnpinnedAndWritesNothing() throws Exception {
    PrefixChain chain = PrefixChain.ofMessages(AgentConversation.JSON.readTree("""
        {"messages":[{"role":"user","content":[{"type":"text","text":"short","cache_control":{"type":"ephemeral"}}]}]}
        """), SCOPE);

    AffinityDecision decision = decide(chain, Map.of(), SIX, fixed("d1"));

    assertThat(decision.kind()).isEqualTo(RouteKind.UNPINNED);
    assertThat(decision.deploymentId()).isEqualTo("d1");
    assertThat(decision.writes()).isFalse();
    assertThat(decision.refreshes()).isEmpty();
  }

  @Test
  void fallbackIsNotAskedWhenAPinDecides() {
    PrefixChain chain = turn(2);
    String longest = LookupPlan.of(chain).keys().get(0);

    AffinityDecision decision = decide(chain, Map.of(longest, "d2"), SIX,
        () -> { throw new AssertionError("the normal strategy must not be consulted"); });

    assertThat(decision.deploymentId()).isEqualTo("d2");
  }

  @Test
  void fallbackMustChooseSomething() {
    assertThatThrownBy(() -> decide(turn(1), Map.of(), SIX, () -> null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void loserOfAClaimRaceFollowsTheWinner() {
    PrefixChain chain = turn(2);
    InMemoryPins pins = new InMemoryPins();
    // Two nodes look up at the same time, find nothing, and choose differently.
    AffinityDecision first = decide(chain, pins.getAll(LookupPlan.of(chain).keys()), SIX, fixed("d1"));
    AffinityDecision second = decide(chain, pins.getAll(LookupPlan.of(chain).keys()), SIX, fixed("d4"));

    String firstRoute = pins.apply(first);
    String secondRoute = pins.apply(second);

    assertThat(firstRoute).isEqualTo("d1");
    assertThat(secondRoute).isEqualTo("d1");
    assertThat(pins.entries().values()).containsOnly("d1");
  }

  @Test
  void claimWonByAnIneligibleDeploymentIsNotFollowed() {
    PrefixChain chain = turn(2);
    AffinityDecision decision = decide(chain, Map.of(), Set.of("d1", "d2"), fixed("d1"));
    Map<String, String> owners = new HashMap<>();
    decision.claims().forEach(claim -> owners.put(claim.key(), "d9"));

    assertThat(decision.afterClaim(owners)).isEqualTo("d1");
  }

  @Test
  void lostClaimShorterThanTheFollowedPinDoesNotMoveTheRoute() {
    PrefixChain chain = turn(2);
    LookupPlan lookup = LookupPlan.of(chain);
    String longest = lookup.keys().get(0);
    AffinityDecision decision = decide(chain, Map.of(longest, "d2"), SIX, fixed("d0"));
    Map<String, String> owners = new HashMap<>();
    decision.claims().forEach(claim -> owners.put(claim.key(), "d5"));

    assertThat(decision.claims()).isNotEmpty();
    assertThat(decision.afterClaim(owners)).isEqualTo("d2");
  }

  @Test
  void theFollowedKeyIsTheLongestPrefixTyingTheRouteToItsDeployment() {
    PrefixChain chain = turn(2);
    LookupPlan lookup = LookupPlan.of(chain);
    // nothing found: the longest claim, whoever won it, ties the request to the deployment that owns it
    AffinityDecision fresh = decide(chain, Map.of(), SIX, fixed("d1"));
    Map<String, String> owners = new HashMap<>();
    fresh.claims().forEach(claim -> owners.put(claim.key(), "d1"));
    String longestClaim = fresh.claims().get(0).key();
    assertThat(fresh.followedKey(owners, "d1")).hasValue(longestClaim);
    owners.put(longestClaim, "d3");
    assertThat(fresh.followedKey(owners, "d3")).hasValue(longestClaim);
    assertThat(fresh.followedKey(owners, "d1")).hasValue(fresh.claims().get(1).key());

    // a pin found and nothing new to claim: the pinned key
    Map<String, String> found = new HashMap<>();
    lookup.keys().forEach(key -> found.put(key, "d2"));
    AffinityDecision pinned = decide(chain, found, SIX, fixed("d0"));
    assertThat(pinned.claims()).isEmpty();
    assertThat(pinned.followedKey(Map.of(), "d2")).isEqualTo(pinned.pinnedKey()).hasValue(lookup.keys().get(0));
  }

  @Test
  void aPinToASaturatedDeploymentSpillsWithoutMovingThePin() {
    PrefixChain chain = turn(2);
    LookupPlan lookup = LookupPlan.of(chain);
    String shortest = lookup.keys().get(lookup.keys().size() - 1);
    Map<String, String> found = Map.of(lookup.keys().get(1), "d1", shortest, "d1");
    List<String> asked = new java.util.ArrayList<>();
    AffinityDecision spilled = AffinityDecision.decide(lookup, PinPlan.of(chain, 1024), found, SIX, Set.of("d1"),
        (key, home) -> {
          asked.add(key + "@" + home);
          return "d2";
        }, fixed("d5"));
    assertThat(spilled.kind()).isEqualTo(RouteKind.SPILLED);
    assertThat(spilled.deploymentId()).isEqualTo("d2");
    assertThat(asked).as("the spread follows the shortest prefix pinned there").containsExactly(shortest + "@d1");
    assertThat(spilled.replacements()).as("the saturated pin stays").isEmpty();
    assertThat(spilled.refreshes()).isEmpty();
    assertThat(spilled.claims()).isNotEmpty().noneMatch(claim -> found.containsKey(claim.key()));
    assertThat(spilled.reason()).hasValueSatisfying(reason -> assertThat(reason).contains("headroom"));

    AffinityDecision stays = AffinityDecision.decide(lookup, PinPlan.of(chain, 1024), found, SIX, Set.of("d1"),
        (key, home) -> home, fixed("d5"));
    assertThat(stays.kind()).as("nowhere better: it stays pinned").isEqualTo(RouteKind.PINNED);
    assertThat(stays.deploymentId()).isEqualTo("d1");
    assertThat(stays.refreshes()).hasSize(2);
  }

  /** The take-over every node applies: rendezvous hashing of the key over the eligible scopes. */
  private static AffinityDecision.Placement takingOver(Set<String> eligible, Supplier<String> fallback) {
    return AffinityDecision.Placement.of(eligible, fallback).takeOver((key, stale) -> {
      Set<String> others = new LinkedHashSet<>(eligible);
      others.remove(stale);
      return Rendezvous.first(key, others).orElseThrow();
    });
  }

  @Test
  void pinsToAFailedDeploymentMoveWhereEveryNodePutsThemWhateverItsStrategySays() {
    PrefixChain chain = turn(3);
    LookupPlan lookup = LookupPlan.of(chain);
    Map<String, List<String>> found = new HashMap<>();
    lookup.keys().forEach(key -> found.put(key, List.of("d1")));
    Set<String> withoutD1 = new LinkedHashSet<>(List.of("d0", "d2", "d3", "d4", "d5"));
    String shortest = lookup.keys().get(lookup.keys().size() - 1);

    AffinityDecision onOneNode = AffinityDecision.place(lookup, PinPlan.of(chain, 1024), found,
        takingOver(withoutD1, fixed("d0")));
    AffinityDecision onAnother = AffinityDecision.place(lookup, PinPlan.of(chain, 1024), found,
        takingOver(withoutD1, fixed("d5")));

    assertThat(onOneNode.deploymentId()).isEqualTo(onAnother.deploymentId())
        .isEqualTo(Rendezvous.first(shortest, withoutD1).orElseThrow());
    assertThat(onOneNode.kind()).isEqualTo(RouteKind.REPINNED);
    assertThat(onOneNode.replacements()).as("every pin moves, compare-and-set against d1")
        .hasSize(lookup.keys().size()).allMatch(replacement -> replacement.staleDeploymentId().equals("d1"));
  }

  @Test
  void rendezvousMovesOnlyTheKeysOfTheScopeThatLeft() {
    Set<String> three = new LinkedHashSet<>(List.of("a", "b", "c"));
    int moved = 0;
    for (int i = 0; i < 300; i++) {
      String key = "key-" + i;
      String before = Rendezvous.first(key, three).orElseThrow();
      Set<String> withoutC = new LinkedHashSet<>(List.of("a", "b"));
      String after = Rendezvous.first(key, withoutC).orElseThrow();
      if (!before.equals("c")) {
        assertThat(after).isEqualTo(before);
      } else {
        moved++;
      }
    }
    assertThat(moved).as("about a third of the keys were on c").isBetween(60, 140);
  }

  @Test
  void aFailedOwnerAmongSeveralIsReplacedAndTheOthersKeepTheirPlace() {
    PrefixChain chain = turn(2);
    LookupPlan lookup = LookupPlan.of(chain);
    String longest = lookup.keys().get(0);
    AffinityDecision decision = AffinityDecision.place(lookup, PinPlan.of(chain, 1024),
        Map.of(longest, List.of("gone", "d2")), takingOver(SIX, fixed("d0")));
    assertThat(decision.deploymentId()).as("a usable owner of the same prefix").isEqualTo("d2");
    assertThat(decision.kind()).isEqualTo(RouteKind.PINNED);
    assertThat(decision.replacements()).singleElement()
        .satisfies(replacement -> assertThat(replacement.staleDeploymentId()).isEqualTo("gone"));
  }

  private static final Set<String> THREE = new LinkedHashSet<>(List.of("d1", "d2", "d3"));

  /** Bounds of 10 requests per minute and 1.5 times the least-loaded. */
  private static Balance loads(long d1, long d2, long d3) {
    return new Balance(Map.of("d1", d1, "d2", d2, "d3", d3), THREE, new Balance.Bounds(10, 1.5));
  }

  /** The first request of a new session of the agent: the same tools and system, a task of its own. */
  private static PrefixChain newSession(String task) {
    return PrefixChain.ofMessages(new AgentConversation().lastTask(task).request(1), SCOPE);
  }

  private static AffinityDecision placeWith(PrefixChain chain, Map<String, List<String>> found, Balance balance) {
    return AffinityDecision.place(LookupPlan.of(chain), PinPlan.of(chain, 1024), found,
        AffinityDecision.Placement.of(THREE, fixed("d3")).balance(balance));
  }

  @Test
  void aNewSessionFollowsItsSharedPrefixToTheLeastLoadedOwnerWithinBounds() {
    PrefixChain chain = newSession("a new task");
    String shared = chain.key(chain.conversationStart() - 1);
    AffinityDecision decision = placeWith(chain, Map.of(shared, List.of("d1", "d2")), loads(40, 12, 10));
    assertThat(decision.deploymentId()).as("d1 is past both bounds, d2 is within").isEqualTo("d2");
    assertThat(decision.kind()).isEqualTo(RouteKind.PINNED);
    assertThat(decision.pinnedKey()).hasValue(shared);
    assertThat(decision.additions()).isEmpty();

    AffinityDecision near = placeWith(chain, Map.of(shared, List.of("d1")), loads(8, 0, 0));
    assertThat(near.deploymentId()).as("8 ahead is within the absolute bound").isEqualTo("d1");
  }

  @Test
  void whenEveryOwnerOfItsSharedPrefixIsPastTheBoundsANewSessionOpensANewOwnerOnTheLeastLoaded() {
    PrefixChain chain = newSession("another task");
    String shared = chain.key(chain.conversationStart() - 1);
    AffinityDecision decision = placeWith(chain, Map.of(shared, List.of("d1")), loads(40, 3, 10));
    assertThat(decision.deploymentId()).isEqualTo("d2");
    assertThat(decision.kind()).isEqualTo(RouteKind.BALANCED);
    assertThat(decision.additions()).as("d2 writes the shared prefix once and becomes one more owner")
        .extracting(AffinityDecision.Refresh::key).containsExactly(shared);
    assertThat(decision.claims()).as("its own prefixes are new, the shared one is not claimed").isNotEmpty()
        .noneMatch(claim -> claim.key().equals(shared));
    assertThat(decision.replacements()).as("d1 keeps the prefix").isEmpty();
  }

  @Test
  void aRequestThatLostTheDecidingClaimFollowsTheWinnerAndClaimsItsLongerPrefixesThere() {
    PrefixChain chain = newSession("a task of a tenant nobody has seen");
    AffinityDecision decision = decide(chain, Map.of(), THREE, fixed("d2"));
    AffinityDecision.Claim deciding = decision.decidingClaim().orElseThrow();
    AffinityDecision following = decision.following("d1", deciding);
    assertThat(following.deploymentId()).isEqualTo("d1");
    assertThat(following.pinnedKey()).hasValue(deciding.key());
    assertThat(following.claims()).as("its tenant's instructions and its conversation, for d1")
        .hasSize(decision.claims().size() - 1).doesNotContain(deciding)
        .allSatisfy(claim -> assertThat(claim.block()).isGreaterThan(deciding.block()));
    Map<String, String> won = new HashMap<>();
    following.claims().forEach(claim -> won.put(claim.key(), "d1"));
    assertThat(following.afterClaim(won)).isEqualTo("d1");
  }

  @Test
  void anExistingSessionIsNeverSplitWhileItsDeploymentIsUsableWhateverTheLoad() {
    PrefixChain chain = turn(3);
    LookupPlan lookup = LookupPlan.of(chain);
    LookupPlan.Probe own = lookup.probes().stream().filter(probe -> probe.block() >= chain.conversationStart())
        .findFirst().orElseThrow();
    String shared = chain.key(chain.conversationStart() - 1);
    AffinityDecision decision = placeWith(chain, Map.of(own.key(), List.of("d1"), shared, List.of("d1", "d2")),
        loads(500, 0, 0));
    assertThat(decision.deploymentId()).isEqualTo("d1");
    assertThat(decision.kind()).isEqualTo(RouteKind.PINNED);
  }

  @Test
  void withoutBalanceASharedPrefixIsFollowedToItsFirstUsableOwner() {
    PrefixChain chain = newSession("a third task");
    String shared = chain.key(chain.conversationStart() - 1);
    AffinityDecision decision = AffinityDecision.place(LookupPlan.of(chain), PinPlan.of(chain, 1024),
        Map.of(shared, List.of("d1", "d2")), AffinityDecision.Placement.of(THREE, fixed("d3")));
    assertThat(decision.deploymentId()).isEqualTo("d1");
  }

  @Test
  void aRequestThatLostTheClaimOfASharedPrefixAndWonOnlyNewKeysFollowsTheOwnerOfTheLongestKeyItLost() {
    PrefixChain chain = newSession("a task nobody else has");
    AffinityDecision decision = decide(chain, Map.of(), THREE, fixed("d2"));
    String shared = chain.key(chain.conversationStart() - 1);
    Map<String, String> owners = new HashMap<>();
    decision.claims().forEach(claim -> owners.put(claim.key(), claim.block() >= chain.conversationStart() ? "d2"
        : "d1"));
    assertThat(owners).containsEntry(shared, "d1");
    assertThat(owners).as("it won its own, longer prefix").containsValue("d2");
    assertThat(decision.afterClaim(owners)).isEqualTo("d1");
  }

  @Test
  void aSessionPinKeepsASessionOnItsDeploymentEvenWithoutBreakpoints() {
    PrefixChain chain = PrefixChain.ofMessages(AgentConversation.JSON.createObjectNode().put("model", "m"), SCOPE);
    LookupPlan lookup = LookupPlan.of(chain);
    String session = SessionKey.pinKey(SCOPE, "session-1");
    AffinityDecision first = AffinityDecision.place(lookup, PinPlan.none(), Map.of(),
        AffinityDecision.Placement.of(THREE, fixed("d3")).session(session));
    assertThat(first.deploymentId()).isEqualTo("d3");
    assertThat(first.kind()).isEqualTo(RouteKind.CLAIMED);
    assertThat(first.claims()).extracting(AffinityDecision.Claim::key).containsExactly(session);

    AffinityDecision next = AffinityDecision.place(lookup, PinPlan.none(), Map.of(session, List.of("d3")),
        AffinityDecision.Placement.of(THREE, fixed("d1")).session(session));
    assertThat(next.deploymentId()).as("the strategy would say d1").isEqualTo("d3");
    assertThat(next.kind()).isEqualTo(RouteKind.SESSION);
    assertThat(next.refreshes()).extracting(AffinityDecision.Refresh::key).containsExactly(session);
  }

  @Test
  void aSessionWithAPinnedIdIsAnExistingOneAndStaysWhateverTheLoadOfItsSharedPrefix() {
    PrefixChain chain = newSession("the first turn of a session the client names");
    String shared = chain.key(chain.conversationStart() - 1);
    String session = SessionKey.pinKey(SCOPE, "session-2");
    AffinityDecision decision = AffinityDecision.place(LookupPlan.of(chain), PinPlan.of(chain, 1024),
        Map.of(shared, List.of("d1"), session, List.of("d1")),
        AffinityDecision.Placement.of(THREE, fixed("d3")).balance(loads(500, 0, 0)).session(session));
    assertThat(decision.deploymentId()).isEqualTo("d1");
    assertThat(decision.kind()).isEqualTo(RouteKind.PINNED);
  }

  @Test
  void theSessionIdComesFromTheHeaderThenMetadataUserIdThenPromptCacheKeyScopedByTenantAndAlias() throws Exception {
    var body = AgentConversation.JSON.readTree("""
        {"metadata": {"user_id": "user_abc_account_0f3c_session_7d1e-42"}, "prompt_cache_key": "pck"}""");
    assertThat(SessionKey.of(body, Map.of(SessionKey.HEADER, "from-header"))).hasValue("from-header");
    assertThat(SessionKey.of(body, Map.of())).hasValue("7d1e-42");
    assertThat(SessionKey.of(AgentConversation.JSON.readTree("{\"prompt_cache_key\": \"pck\"}"), Map.of()))
        .hasValue("pck");
    assertThat(SessionKey.of(AgentConversation.JSON.readTree("{\"metadata\": {\"user_id\": \"u1\"}}"), Map.of()))
        .isEmpty();
    // newer Claude Code: a JSON object in the string
    String json = "{\"device_id\":\"d9\",\"account_uuid\":\"\",\"session_id\":\"e853-1\"}";
    assertThat(SessionKey.of(AgentConversation.JSON.createObjectNode().set("metadata", AgentConversation.JSON
        .createObjectNode().put("user_id", json)), Map.of())).hasValue("e853-1");
    assertThat(SessionKey.of(AgentConversation.JSON.createObjectNode().set("metadata", AgentConversation.JSON
        .createObjectNode().put("user_id", "{not json")), Map.of())).isEmpty();
    assertThat(SessionKey.pinKey("tenant-a\u0000sonnet", "s")).isNotEqualTo(SessionKey.pinKey("tenant-b\u0000sonnet", "s"))
        .isNotEqualTo(SessionKey.pinKey("tenant-a\u0000opus", "s")).isNotEqualTo(PromptCacheKey.pinKey("tenant-a\u0000sonnet", "s"));
  }
}
