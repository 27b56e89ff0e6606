package dev.affinity.router.cache;

import dev.affinity.model.RouteKind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * Where a request goes and what it changes in the pin map, decided from what one round trip to the map returned.
 * Pure: the caller fetches, then applies the writes.
 *
 * <p>Rules:
 * <ol>
 *   <li>The longest prefix pinned to an <em>eligible</em> deployment wins ({@link RouteKind#PINNED}). A longer pin to
 *       a deployment that is not eligible (unhealthy, removed) does not beat it.</li>
 *   <li>Without such a pin the fallback (the normal strategy) chooses.</li>
 *   <li>If the longest pin found points to a deployment that is not eligible, the route is
 *       {@link RouteKind#REPINNED}: every pin found to a deployment that is not eligible is to be replaced by the
 *       chosen deployment ({@link #replacements()}, a compare-and-set against the stale value).</li>
 *   <li>Keys of the {@link PinPlan} not found are claimed for the chosen deployment, write-if-absent
 *       ({@link #claims()}); with nothing found that is {@link RouteKind#CLAIMED}, with no pin plan
 *       {@link RouteKind#UNPINNED}.</li>
 *   <li>Keys found pinned to the chosen deployment are refreshed ({@link #refreshes()}), as the provider refreshes its
 *       entry on every hit.</li>
 *   <li>A pin to a deployment with no rate-limit headroom (saturated) is neither followed nor replaced: without a
 *       shorter pin elsewhere, the request spills to where the spread of the prefix says ({@link RouteKind#SPILLED})
 *       and claims its new prefixes there.</li>
 *   <li>Claims race with other nodes. Whoever wrote a key first owns it, and a loser follows the owner of the
 *       longest key it lost ({@link #afterClaim(Map)}) so that concurrent requests for one prefix end up on one
 *       deployment, even when they won longer keys of their own.</li>
 * </ol>
 */
public final class AffinityDecision {

  /** The block a session pin is written as: after every prefix, so its claim is settled first. */
  public static final int SESSION_BLOCK = Integer.MAX_VALUE;

  /** Extend the TTL of a pin that already points to the chosen deployment. */
  public record Refresh(String key, CacheTtl ttl) {
  }

  /** Pin {@code key} to the chosen deployment if nobody has yet (write-if-absent). */
  public record Claim(String key, int block, CacheTtl ttl) {
  }

  /** Pin {@code key} to the chosen deployment if it still points to {@code staleDeploymentId} (compare-and-set). */
  public record Replacement(String key, int block, String staleDeploymentId, CacheTtl ttl) {
  }

  private final String deploymentId;
  private final RouteKind kind;
  private final String reason;
  private final int pinnedBlock;
  private final String pinnedKey;
  private final List<Refresh> refreshes;
  private final List<Claim> claims;
  private final List<Replacement> replacements;
  private final List<Refresh> additions;
  private final Set<String> eligible;

  private AffinityDecision(String deploymentId, RouteKind kind, String reason, int pinnedBlock, String pinnedKey,
                           List<Refresh> refreshes, List<Claim> claims, List<Replacement> replacements,
                           List<Refresh> additions, Set<String> eligible) {
    this.deploymentId = deploymentId;
    this.kind = kind;
    this.reason = reason;
    this.pinnedBlock = pinnedBlock;
    this.pinnedKey = pinnedKey;
    this.refreshes = List.copyOf(refreshes);
    this.claims = List.copyOf(claims);
    this.replacements = List.copyOf(replacements);
    this.additions = List.copyOf(additions);
    this.eligible = Set.copyOf(eligible);
  }

  /**
   * Decides a route.
   *
   * @param lookup   the keys that were fetched, longest prefix first
   * @param plan     what the request is worth pinning
   * @param found    what the fetch returned: key → deployment id, for the keys that are pinned
   * @param eligible deployments of the alias that may take the request now
   * @param fallback the normal strategy; asked only when no eligible pin is found, must return an eligible id
   */
  public static AffinityDecision decide(LookupPlan lookup, PinPlan plan, Map<String, String> found,
                                        Set<String> eligible, Supplier<String> fallback) {
    return place(lookup, plan, owners(found), Placement.of(eligible, fallback));
  }

  /**
   * Decides a route when some eligible deployments have no rate-limit headroom.
   *
   * @param saturated eligible deployments that should take no more traffic now; pins to them are neither followed
   *                  nor replaced
   * @param spill     given a key and the saturated deployment the request's longest pin names (the key is the
   *                  shortest prefix pinned there), where to send the request instead (that deployment itself when
   *                  there is nowhere better); asked only when no unsaturated pin is found
   */
  public static AffinityDecision decide(LookupPlan lookup, PinPlan plan, Map<String, String> found,
                                        Set<String> eligible, Set<String> saturated,
                                        BiFunction<String, String, String> spill, Supplier<String> fallback) {
    return place(lookup, plan, owners(found), Placement.of(eligible, fallback).saturated(saturated, spill));
  }

  private static Map<String, List<String>> owners(Map<String, String> found) {
    Map<String, List<String>> owners = new HashMap<>();
    found.forEach((key, owner) -> owners.put(key, List.of(owner)));
    return owners;
  }

  /**
   * What a decision depends on besides the pins: which deployments may take the request, and how to choose when
   * pins do not.
   *
   * @param eligible   deployments (cache scopes) of the alias that may take the request now
   * @param saturated  eligible ones with no rate-limit headroom: pins to them are neither followed nor replaced
   * @param spill      where a request goes instead of a saturated pinned deployment (see {@link HotPrefixSpread})
   * @param takeOver   given a key and the deployment that is no longer eligible for it (the key is the shortest
   *                   prefix pinned there), where its pins go: the same answer on every node (see {@link Rendezvous})
   * @param fallback   the normal strategy, for a request with no usable pin
   * @param balance    the load of the open deployments and the bounds; null places by cache alone
   * @param sessionKey the pin key of the client's session id, or null when it sent none
   */
  public record Placement(Set<String> eligible, Set<String> saturated, BiFunction<String, String, String> spill,
                          BiFunction<String, String, String> takeOver, Supplier<String> fallback, Balance balance,
                          String sessionKey) {

    public Placement {
      eligible = Set.copyOf(eligible);
      saturated = Set.copyOf(saturated);
    }

    public static Placement of(Set<String> eligible, Supplier<String> fallback) {
      return new Placement(eligible, Set.of(), (key, home) -> home, (key, stale) -> fallback.get(), fallback, null,
          null);
    }

    public Placement saturated(Set<String> saturated, BiFunction<String, String, String> spill) {
      return new Placement(eligible, saturated, spill, takeOver, fallback, balance, sessionKey);
    }

    public Placement takeOver(BiFunction<String, String, String> takeOver) {
      return new Placement(eligible, saturated, spill, takeOver, fallback, balance, sessionKey);
    }

    public Placement balance(Balance balance) {
      return new Placement(eligible, saturated, spill, takeOver, fallback, balance, sessionKey);
    }

    public Placement session(String sessionKey) {
      return new Placement(eligible, saturated, spill, takeOver, fallback, balance, sessionKey);
    }

    boolean usable(String scope) {
      return eligible.contains(scope) && !saturated.contains(scope);
    }
  }

  /**
   * Decides a route from every owner of every pin found.
   *
   * <p>Balance, when the placement has it: a session that already has a place (its session pin, or a pinned prefix
   * that reaches into its own messages) stays there while the deployment is usable, whatever the load. A new session
   * follows its longest pinned <em>shared</em> prefix (tools and system) to the least-loaded owner within the bounds;
   * when no owner of any of its shared prefixes is within bounds, it opens a new owner on the least-loaded usable
   * deployment ({@link RouteKind#BALANCED}) and the shared prefixes it writes there get that owner
   * ({@link #additions()}).
   *
   * @param found key → every deployment that holds it, the first owner first
   */
  public static AffinityDecision place(LookupPlan lookup, PinPlan plan, Map<String, List<String>> found,
                                       Placement placement) {
    Set<String> eligible = placement.eligible();
    Balance balance = placement.balance();
    String chosen = null;
    LookupPlan.Probe longest = null;
    LookupPlan.Probe longestEligible = null;
    LookupPlan.Probe longestSaturated = null;
    boolean balanced = false;
    boolean sawShared = false;

    List<String> session = placement.sessionKey() == null ? null : found.get(placement.sessionKey());
    List<String> sessionHome = session == null ? List.of() : session.stream().filter(placement::usable).toList();
    if (!sessionHome.isEmpty()) {
      chosen = sessionHome.get(0);
    }
    boolean known = chosen != null;
    for (LookupPlan.Probe probe : lookup.probes()) {
      List<String> owners = found.get(probe.key());
      if (owners == null) {
        continue;
      }
      if (owners.stream().allMatch(owner -> eligible.contains(owner) && placement.saturated().contains(owner))) {
        if (longestSaturated == null) {
          longestSaturated = probe;
        }
        continue;
      }
      if (longest == null) {
        longest = probe;
      }
      List<String> usable = owners.stream().filter(placement::usable).toList();
      if (usable.isEmpty()) {
        continue;
      }
      if (chosen != null) {
        // the session's own place decides; the longest prefix it holds there is what it follows
        if (usable.contains(chosen) && longestEligible == null) {
          longestEligible = probe;
        }
        continue;
      }
      boolean own = balance == null || probe.block() >= lookup.conversationStart();
      if (own) {
        chosen = balance == null ? usable.get(0) : balance.leastLoaded(usable);
        longestEligible = probe;
        known = true;
        continue;
      }
      sawShared = true;
      List<String> within = usable.stream().filter(balance::within).toList();
      if (!within.isEmpty()) {
        chosen = balance.leastLoaded(within);
        longestEligible = probe;
      }
    }

    boolean spilled = false;
    if (chosen == null && sawShared) {
      // every owner of every shared prefix is out of bounds: a new owner on the least-loaded usable deployment
      List<String> open = eligible.stream().filter(placement::usable).toList();
      chosen = balance.leastLoaded(open.isEmpty() ? eligible : open);
      balanced = true;
    } else if (chosen == null && longestSaturated != null) {
      String home = found.get(longestSaturated.key()).get(0);
      chosen = Objects.requireNonNull(placement.spill().apply(root(lookup, found, home, longestSaturated), home),
          "spill chose no deployment");
      if (chosen.equals(home)) {
        longestEligible = longestSaturated; // nowhere better within the spread: stay
      } else {
        spilled = true;
      }
    } else if (chosen == null && longest != null) {
      // pinned only to deployments that are no longer eligible: where every node moves this prefix
      String stale = found.get(longest.key()).get(0);
      chosen = Objects.requireNonNull(placement.takeOver().apply(root(lookup, found, stale, longest), stale),
          "take-over chose no deployment");
    } else if (chosen == null) {
      chosen = Objects.requireNonNull(placement.fallback().get(), "fallback chose no deployment");
    }
    int pinnedBlock = longestEligible != null ? longestEligible.block() : -1;

    List<Refresh> refreshes = new ArrayList<>();
    List<Replacement> replacements = new ArrayList<>();
    List<Refresh> additions = new ArrayList<>();
    Set<String> planned = new HashSet<>();
    plan.pins().forEach(pin -> planned.add(pin.key()));
    for (LookupPlan.Probe probe : lookup.probes()) {
      List<String> owners = found.get(probe.key());
      if (owners == null) {
        continue;
      }
      boolean stale = false;
      for (String owner : owners) {
        if (!eligible.contains(owner) && !owner.equals(chosen)) {
          replacements.add(new Replacement(probe.key(), probe.block(), owner, probe.ttl()));
          stale = true;
        }
      }
      if (owners.contains(chosen)) {
        refreshes.add(new Refresh(probe.key(), probe.ttl()));
      } else if (!stale && planned.contains(probe.key()) && !spilled) {
        // the request writes this breakpoint on the chosen deployment: it is one more owner of the prefix
        additions.add(new Refresh(probe.key(), probe.ttl()));
      }
    }
    List<Claim> claims = new ArrayList<>();
    for (PinPlan.Pin pin : plan.pins()) {
      if (!found.containsKey(pin.key())) {
        claims.add(new Claim(pin.key(), pin.block(), pin.ttl()));
      }
    }
    if (placement.sessionKey() != null && !spilled) {
      // the session's own pin: claimed on its first request, refreshed after, moved off a deployment that is gone
      String key = placement.sessionKey();
      CacheTtl ttl = plan.pins().stream().map(PinPlan.Pin::ttl).reduce(CacheTtl.FIVE_MINUTES, CacheTtl::longer);
      if (session == null) {
        claims.add(new Claim(key, SESSION_BLOCK, ttl));
      } else if (session.contains(chosen)) {
        refreshes.add(new Refresh(key, ttl));
      } else {
        session.stream().filter(owner -> !eligible.contains(owner)).forEach(owner ->
            replacements.add(new Replacement(key, SESSION_BLOCK, owner, ttl)));
      }
    }

    RouteKind kind;
    String reason = null;
    if (spilled) {
      kind = RouteKind.SPILLED;
      reason = "deployment '" + found.get(longestSaturated.key()).get(0) + "' pinned for the prefix through block "
          + longestSaturated.block() + " has no rate-limit headroom";
    } else if (longest != null && found.get(longest.key()).stream().noneMatch(eligible::contains)
        && (longestEligible == null || longest.block() > longestEligible.block())) {
      kind = RouteKind.REPINNED;
      reason = "deployment '" + found.get(longest.key()).get(0) + "' pinned for the prefix through block "
          + longest.block() + " is not eligible";
    } else if (balanced) {
      kind = RouteKind.BALANCED;
      reason = "every owner of the shared prefix through block " + longest.block() + " is past the balance bounds";
    } else if (longestEligible != null) {
      kind = RouteKind.PINNED;
    } else if (known) {
      kind = RouteKind.SESSION;
    } else if (!plan.isEmpty() || placement.sessionKey() != null) {
      kind = RouteKind.CLAIMED;
    } else {
      kind = RouteKind.UNPINNED;
    }
    return new AffinityDecision(chosen, kind, reason, pinnedBlock,
        longestEligible != null ? longestEligible.key() : null, refreshes, claims, replacements, additions, eligible);
  }

  /** The shortest prefix of the request pinned to {@code home}, from {@code longest} down: what sessions share. */
  private static String root(LookupPlan lookup, Map<String, List<String>> found, String home,
                             LookupPlan.Probe longest) {
    String root = longest.key();
    for (LookupPlan.Probe probe : lookup.probes()) {
      List<String> owners = found.get(probe.key());
      if (owners != null && owners.contains(home)) {
        root = probe.key();
      }
    }
    return root;
  }

  /** The deployment to send the request to, unless {@link #afterClaim(Map)} says otherwise. */
  public String deploymentId() {
    return deploymentId;
  }

  public RouteKind kind() {
    return kind;
  }

  /** Why a pin is replaced or spilled from; present for {@link RouteKind#REPINNED} and {@link RouteKind#SPILLED}. */
  public Optional<String> reason() {
    return Optional.ofNullable(reason);
  }

  /** The last block of the pinned prefix the route follows; empty when no eligible pin was found. */
  public OptionalInt pinnedBlock() {
    return pinnedBlock < 0 ? OptionalInt.empty() : OptionalInt.of(pinnedBlock);
  }

  /** The key of the pinned prefix the route follows; empty when no eligible pin was found. */
  public Optional<String> pinnedKey() {
    return Optional.ofNullable(pinnedKey);
  }

  /**
   * The longest prefix that ties the request to {@code chosen}: the longest key written that {@code owners} gives to
   * {@code chosen} (won or lost), else the pinned key; empty when there is none.
   */
  public Optional<String> followedKey(Map<String, String> owners, String chosen) {
    return writtenLongestFirst().stream().filter(write -> chosen.equals(owners.get(write.key())))
        .map(Written::key).findFirst().or(this::pinnedKey);
  }

  /** Pins to the chosen deployment whose TTL to extend, longest prefix first. */
  public List<Refresh> refreshes() {
    return refreshes;
  }

  /** Keys to pin to the chosen deployment if absent, longest prefix first. */
  public List<Claim> claims() {
    return claims;
  }

  /** Stale pins to point to the chosen deployment if unchanged, longest prefix first. */
  public List<Replacement> replacements() {
    return replacements;
  }

  /**
   * Pinned prefixes this request writes on the chosen deployment, which does not own them yet: it becomes one more
   * owner (a shared prefix on a deployment a new session was balanced to, say). Written without waiting, as
   * refreshes are.
   */
  public List<Refresh> additions() {
    return additions;
  }

  /**
   * The claim that decides where a burst of first requests goes, written alone and before the others: the shortest
   * prefix, when the decision claims several new prefixes and follows, replaces or adds to none. A prompt's keys live
   * on different members, so claimed together two concurrent first requests could each win one key and, by the race
   * rule, each follow the other. Claimed shortest first, only one of them wins the shortest key, the other follows it
   * as if it had found it pinned, and a longer key is only ever written by a request that holds or follows the
   * shorter one, so a third request that reads the longer pin goes the same way. Empty otherwise.
   */
  public Optional<Claim> decidingClaim() {
    if (kind != RouteKind.CLAIMED || claims.size() < 2 || !replacements.isEmpty() || !additions.isEmpty()
        || pinnedBlock >= 0) {
      return Optional.empty();
    }
    return claims.stream().min(Comparator.comparingInt(Claim::block));
  }

  /** This decision with {@code claim} left out: what is still to write once the {@link #decidingClaim} is won. */
  public AffinityDecision without(Claim claim) {
    List<Claim> rest = new ArrayList<>(claims);
    rest.remove(claim);
    return new AffinityDecision(deploymentId, kind, reason, pinnedBlock, pinnedKey, refreshes, rest, replacements,
        additions, eligible);
  }

  /**
   * The decision of a request that lost its {@link #decidingClaim} to {@code owner}: it follows {@code owner} as if
   * it had found that pin, and claims its longer prefixes there. Those are its own (a tenant's instructions, its
   * conversation) or the winner's, which the winner claims for the same deployment; left unpinned, its next turn
   * would find only the shared prefix and be placed as a new session again, possibly elsewhere (split).
   */
  public AffinityDecision following(String owner, Claim deciding) {
    List<Claim> rest = new ArrayList<>(claims);
    rest.remove(deciding);
    return new AffinityDecision(owner, RouteKind.PINNED, null, deciding.block(), deciding.key(),
        List.of(new Refresh(deciding.key(), deciding.ttl())), rest, List.of(), List.of(), eligible);
  }

  /**
   * This decision without its claims, what a tenant at its pin quota may write ({@link PinQuota}): replacements and
   * added owners of pins that exist still go. A decision that only claimed (it follows, replaces and adds to no pin)
   * becomes {@link RouteKind#UNPINNED}: the deployment the strategy chose stands and nothing is pinned to it.
   */
  public AffinityDecision withoutClaims() {
    boolean onlyClaimed = kind == RouteKind.CLAIMED && replacements.isEmpty() && additions.isEmpty()
        && pinnedBlock < 0;
    return new AffinityDecision(deploymentId, onlyClaimed ? RouteKind.UNPINNED : kind, reason, pinnedBlock,
        pinnedKey, refreshes, List.of(), replacements, additions, eligible);
  }

  /** Whether the caller has anything to write and wait for: claims, replacements or additions (refreshes aside). */
  public boolean writes() {
    return !claims.isEmpty() || !replacements.isEmpty() || !additions.isEmpty();
  }

  /**
   * The final deployment once claims and replacements are written.
   *
   * <p>A claim or replacement that lost a race means another request pinned that prefix first, to its own choice.
   * The race rule: a request that lost the claim of a prefix longer than the pin it already follows, and won only new
   * keys (claims of prefixes nobody had), follows the owner of the longest key it lost, when that owner is eligible.
   * The new keys it won are cached nowhere yet, so following costs nothing, and the prefix it lost (a tenant's
   * shared instructions, say) stays on one deployment; the caller re-points the won keys to the owner. A request
   * that won a replacement (it is moving a prefix off a failed deployment) keeps its choice. Keys whose outcome is
   * unknown (absent from {@code owners}) are skipped.
   *
   * @param owners for each key written, the deployment the map holds after the write (this decision's deployment
   *               when the write won)
   */
  public String afterClaim(Map<String, String> owners) {
    Set<String> replaced = new HashSet<>();
    replacements.forEach(replacement -> replaced.add(replacement.key()));
    String lostTo = null;
    boolean movedAPrefix = false;
    for (Written write : writtenLongestFirst()) {
      if (write.block() <= pinnedBlock) {
        break;
      }
      String owner = owners.get(write.key());
      if (owner == null) {
        continue;
      }
      if (owner.equals(deploymentId)) {
        movedAPrefix |= replaced.contains(write.key());
      } else if (lostTo == null && eligible.contains(owner)) {
        lostTo = owner;
      }
    }
    return lostTo != null && !movedAPrefix ? lostTo : deploymentId;
  }

  /** A key the decision writes (a claim or a replacement) and the TTL it is written with. */
  public record Written(String key, int block, CacheTtl ttl) {
  }

  /** Every key the decision writes, claims and replacements together, longest prefix first. */
  public List<Written> writtenLongestFirst() {
    List<Written> written = new ArrayList<>(claims.size() + replacements.size());
    claims.forEach(claim -> written.add(new Written(claim.key(), claim.block(), claim.ttl())));
    replacements.forEach(replacement -> written.add(new Written(replacement.key(), replacement.block(),
        replacement.ttl())));
    written.sort(Comparator.comparingInt(Written::block).reversed());
    return written;
  }

  @Override
  public String toString() {
    return "AffinityDecision[" + kind + " -> " + deploymentId + (reason == null ? "" : " (" + reason + ")")
        + ", refreshes=" + refreshes.size() + ", claims=" + claims.size() + ", replacements="
        + replacements.size() + "]";
  }
}
