package dev.affinity.router.pins;

import dev.affinity.router.cache.AffinityDecision;
import dev.affinity.router.cache.CacheTtl;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * Where pins live: prefix key → the cache scope holding that prefix, with the pin's expiry and, while its first
 * request is being answered, its warm-up mark.
 *
 * <p>Reads are local and synchronous: a pinned request makes no network round trip. What a node reads may be a
 * moment stale (another node's write not seen yet); that costs at most one cache write or one extra claim round trip,
 * never a disagreement about who owns a prefix, because every write is decided atomically where the key is owned:
 * claims are write-if-absent (the first writer wins everywhere), replacements compare-and-set, and each write answers
 * with what the key holds afterwards, which the caller follows.
 *
 * <p>Two implementations: {@link PinMap} over a Hazelcast map shared by the cluster, with a node-local view fed by the
 * map's entry events; {@link InMemoryPinStore} for one process (tests, policies, benchmarks).
 */
public interface PinStore {

  /**
   * A write to a set of keys, applied key by key, atomically, where each key is owned.
   *
   * @param tenant the tag of the tenant whose request writes ({@code PinQuota#tag}); a pin this write creates is
   *               counted against that tenant's quota. Null: counted against none
   */
  record Write(Kind kind, String scope, String stale, long ttlSeconds, long warmingSince, String tenant) {

    /** What a write does; see {@link PinValue#after}. Sent by ordinal: new kinds go at the end. */
    public enum Kind { CLAIM, REPLACE, REFRESH, WARMED, ADD_OWNER, RELEASE, TAKE }

    public Write {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(scope, "scope");
    }

    /** A write that creates pins of no tenant (or only changes existing pins). */
    public Write(Kind kind, String scope, String stale, long ttlSeconds, long warmingSince) {
      this(kind, scope, stale, ttlSeconds, warmingSince, null);
    }
  }

  /**
   * What a read or write found.
   *
   * @param owners    key → the cache scope it is pinned to; keys that are not pinned are absent
   * @param warming   key → when its warm-up started, for pins whose first request is not answered yet
   * @param expiresAt key → when the pin expires (epoch milliseconds), for the pins in {@code owners}
   * @param changed   for a write's answer, the keys this write changed (a claim it won, a replacement, a refresh
   *                  that extended the pin, a warm-up it ended); empty for a read
   * @param allOwners key → every scope that holds the prefix, the first owner (the one in {@code owners}) first
   * @param released  keys whose warm-up its request gave up (its final answer was an error, so nothing was cached):
   *                  open to one of the requests waiting for it ({@link #take})
   */
  record Found(Map<String, String> owners, Map<String, Long> warming, Map<String, Long> expiresAt,
               Set<String> changed, Map<String, List<String>> allOwners, Set<String> released) {

    public static final Found NOTHING = new Found(Map.of(), Map.of(), Map.of(), Set.of(), Map.of());

    public Found(Map<String, String> owners, Map<String, Long> warming, Map<String, Long> expiresAt,
                 Set<String> changed) {
      this(owners, warming, expiresAt, changed, single(owners));
    }

    public Found(Map<String, String> owners, Map<String, Long> warming, Map<String, Long> expiresAt,
                 Set<String> changed, Map<String, List<String>> allOwners) {
      this(owners, warming, expiresAt, changed, allOwners, Set.of());
    }

    private static Map<String, List<String>> single(Map<String, String> owners) {
      Map<String, List<String>> all = new HashMap<>();
      owners.forEach((key, owner) -> all.put(key, List.of(owner)));
      return all;
    }

    /**
     * Each key's owner as a writer for {@code scope} sees it: {@code scope} where it is one of the owners (its write
     * won, or found it there), else the first owner.
     */
    public Map<String, String> ownersSeenBy(String scope) {
      Map<String, String> seen = new HashMap<>(owners);
      allOwners.forEach((key, all) -> {
        if (all.contains(scope)) {
          seen.put(key, scope);
        }
      });
      return seen;
    }

    static Found of(Map<String, PinValue> pins) {
      return of(pins, Set.of());
    }

    static Found of(Map<String, PinValue> pins, Set<String> changed) {
      Map<String, String> owners = new HashMap<>();
      Map<String, Long> warming = new HashMap<>();
      Map<String, Long> expiresAt = new HashMap<>();
      Map<String, List<String>> all = new HashMap<>();
      Set<String> released = new HashSet<>();
      pins.forEach((key, pin) -> {
        if (pin != null) {
          owners.put(key, pin.scope());
          all.put(key, pin.owners());
          expiresAt.put(key, pin.expiresAt());
          if (pin.warming()) {
            warming.put(key, pin.warmingSince());
          } else if (pin.released()) {
            released.add(key);
          }
        }
      });
      return new Found(owners, warming, expiresAt, Set.copyOf(changed), all, released);
    }
  }

  /** One pin as the admin endpoint shows it: never the prompt, only a shortened hash. */
  record PinView(String key, String deployment, long ttlSecondsLeft, long hits) {
  }

  /** The pins among {@code keys} that are alive now, from this node's view: no network round trip. */
  Found read(Collection<String> keys);

  /**
   * Applies the writes (each key of a group takes its group's write), atomically per key where the key is owned;
   * answers with what each key holds afterwards. The node's view reflects the answer when the stage completes.
   */
  CompletionStage<Found> write(Map<Write, Set<String>> writes);

  /** Up to {@code limit} pins, for the admin endpoint. May block: call from a worker. */
  List<PinView> list(int limit);

  /** Number of pins. May block: call from a worker. */
  int size();

  /** Pins this node holds the primary copy of (the sum over the nodes is the cluster's count), without a remote call. */
  int ownedHere();

  /**
   * Keys this node has sent to their owners in writes (claims, replacements, refreshes, ends of warm-up), since it
   * started: what pinned traffic costs the cluster, which should be nothing per hit (the metric
   * {@code affinity_pin_writes_total}).
   */
  default long keysWritten() {
    return 0;
  }

  /** The pin map's entry events this node's view has taken in since it started (every member's writes reach all). */
  default long eventsHeard() {
    return 0;
  }

  /** Removes every pin. May block: call from a worker. */
  void clear();

  /**
   * How many live pins {@code tenant} (a tag, see {@code PinQuota#tag}) created, as this node's view counts them: no
   * network round trip. Approximate in a cluster: another node's claims count once their events arrive, and a pin
   * that expired counts until its expiry is seen (see docs/tenancy.md).
   */
  long pinsOf(String tenant);

  /**
   * Applies a decision's claims, replacements and refreshes; answers with each key's owner afterwards.
   *
   * @param warmingSince when non-zero, new pins are written warming up since then (see {@link #warmed})
   */
  default CompletionStage<Found> apply(AffinityDecision decision, long warmingSince) {
    return apply(decision, warmingSince, null);
  }

  /** {@link #apply(AffinityDecision, long)} for a request of {@code tenant} (a tag; null: none). */
  default CompletionStage<Found> apply(AffinityDecision decision, long warmingSince, String tenant) {
    Map<Write, Set<String>> writes = claimsOf(decision, warmingSince, tenant);
    decision.refreshes().forEach(refresh -> add(writes, new Write(Write.Kind.REFRESH, decision.deploymentId(), null,
        PinLifetime.seconds(refresh.ttl()), 0), refresh.key()));
    return write(writes);
  }

  /**
   * Applies a decision's claims and replacements only, the writes a request waits for; its refreshes are left to
   * {@link PinRefresher}, when due.
   */
  default CompletionStage<Found> applyClaims(AffinityDecision decision, long warmingSince) {
    return applyClaims(decision, warmingSince, null);
  }

  /** {@link #applyClaims(AffinityDecision, long)} for a request of {@code tenant} (a tag; null: none). */
  default CompletionStage<Found> applyClaims(AffinityDecision decision, long warmingSince, String tenant) {
    return write(claimsOf(decision, warmingSince, tenant));
  }

  private static Map<Write, Set<String>> claimsOf(AffinityDecision decision, long warmingSince, String tenant) {
    Map<Write, Set<String>> writes = new HashMap<>();
    String chosen = decision.deploymentId();
    decision.claims().forEach(claim -> add(writes, new Write(Write.Kind.CLAIM, chosen, null,
        PinLifetime.seconds(claim.ttl()), warmingSince, tenant), claim.key()));
    decision.replacements().forEach(replacement -> add(writes, new Write(Write.Kind.REPLACE, chosen,
        replacement.staleDeploymentId(), PinLifetime.seconds(replacement.ttl()), warmingSince, tenant),
        replacement.key()));
    // one more deployment writes these shared prefixes: it becomes one more owner
    decision.additions().forEach(addition -> add(writes, new Write(Write.Kind.ADD_OWNER, chosen, null,
        PinLifetime.seconds(addition.ttl()), 0, tenant), addition.key()));
    return writes;
  }

  /**
   * Points {@code keys} at {@code deployment} where they still point at {@code stale}: after a request lost a claim
   * race on its longest prefix and followed the winner, the shorter prefixes it did win must follow too, or they
   * would name a deployment that never saw the prompt.
   */
  default CompletionStage<Found> repoint(Map<String, CacheTtl> keys, String stale, String deployment) {
    return repoint(keys, stale, deployment, Set.of(), 0);
  }

  /**
   * {@link #repoint(Map, String, String)}, where the keys in {@code warming} are still warming up under the mark
   * {@code warmingSince} at {@code deployment}: the request that writes them went there with them (a failover), so
   * the requests waiting for them wait on there.
   */
  default CompletionStage<Found> repoint(Map<String, CacheTtl> keys, String stale, String deployment,
                                         Set<String> warming, long warmingSince) {
    Map<Write, Set<String>> writes = new HashMap<>();
    keys.forEach((key, ttl) -> add(writes, new Write(Write.Kind.REPLACE, deployment, stale,
        PinLifetime.seconds(ttl), warming.contains(key) ? warmingSince : 0), key));
    return write(writes);
  }

  /**
   * Ends the warm-up of pins this node claimed for {@code scope}: its request has started to be answered, so the
   * provider has the prefix cached and requests waiting for it may go.
   *
   * @param keys key → the pin's lifetime in seconds, as claimed (see {@link PinLifetime#seconds})
   */
  default CompletionStage<Found> warmed(Map<String, Long> keys, String scope) {
    Map<Write, Set<String>> writes = new HashMap<>();
    keys.forEach((key, ttlSeconds) -> add(writes, new Write(Write.Kind.WARMED, scope, null, ttlSeconds, 0), key));
    return write(writes);
  }

  /**
   * Gives up the warm-up of pins this request claimed for {@code scope} under {@code mark}: its final answer was an
   * error, so the provider cached nothing, and one of the requests waiting for it should write the prompt instead of
   * all of them ({@link #take}). A pin whose mark is no longer {@code mark} (taken over, moved) is left alone.
   *
   * @param keys key → the pin's lifetime in seconds, as claimed
   */
  default CompletionStage<Found> release(Map<String, Long> keys, String scope, long mark) {
    Map<Write, Set<String>> writes = new HashMap<>();
    keys.forEach((key, ttlSeconds) -> add(writes, new Write(Write.Kind.RELEASE, scope, null, ttlSeconds, mark), key));
    return write(writes);
  }

  /**
   * Takes the released warm-up of {@code key} at {@code scope} under {@code mark}: the first request to ask gets it
   * (its answer shows the key changed and warming under {@code mark}) and writes the prompt; the others wait for it.
   */
  default CompletionStage<Found> take(String key, long ttlSeconds, String scope, long mark) {
    return write(Map.of(new Write(Write.Kind.TAKE, scope, null, ttlSeconds, mark), Set.of(key)));
  }

  private static void add(Map<Write, Set<String>> writes, Write write, String key) {
    writes.computeIfAbsent(write, w -> new HashSet<>()).add(key);
  }
}
