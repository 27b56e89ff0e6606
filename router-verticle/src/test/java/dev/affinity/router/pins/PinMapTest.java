package dev.affinity.router.pins;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.LocalMapStats;
import dev.affinity.router.cache.AffinityDecision;
import dev.affinity.router.cache.CacheTtl;
import dev.affinity.router.cache.LookupPlan;
import dev.affinity.router.cache.PinPlan;
import dev.affinity.router.cache.PrefixChain;
import dev.affinity.router.node.ClusterSettings;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static dev.affinity.router.TestGateway.await;
import static dev.affinity.router.TestGateway.eventually;
import static dev.affinity.router.TestGateway.join;
import static org.assertj.core.api.Assertions.assertThat;

/** The pin map against a real Hazelcast member configured from the bundled cluster.xml. */
class PinMapTest {

  private static HazelcastInstance hazelcast;
  private static Vertx vertx;
  private static Context context;
  private static PinMap pins;

  @BeforeAll
  static void start() throws Exception {
    hazelcast = Hazelcast.newHazelcastInstance(ClusterSettings.loopback("pins-" + UUID.randomUUID())
        .hazelcastConfig());
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    pins = PinMap.open(hazelcast);
  }

  @AfterAll
  static void stop() throws Exception {
    await(vertx.close());
    hazelcast.shutdown();
  }

  @Test
  void clusterXmlConfiguresBackupsEvictionAndTtl() {
    var config = hazelcast.getConfig().getMapConfig(PinMap.NAME);
    assertThat(config.getBackupCount()).isEqualTo(1);
    assertThat(config.getEvictionConfig().getSize()).isPositive();
    assertThat(config.getTimeToLiveSeconds()).isGreaterThanOrEqualTo((int) CacheTtl.ONE_HOUR.duration().toSeconds());
  }

  @Test
  void claimIsFirstWriterWinsAndRefreshKeepsTheOwner() throws Exception {
    String key = "k-" + UUID.randomUUID();
    PinWrite mine = new PinWrite(PinWrite.Kind.CLAIM, "dep-a", null, 300);
    PinWrite theirs = new PinWrite(PinWrite.Kind.CLAIM, "dep-b", null, 300);
    IMap<String, String> map = hazelcast.getMap(PinMap.NAME);
    assertThat(scopes(map.submitToKeys(Set.of(key), mine))).containsEntry(key, "dep-a");
    assertThat(scopes(map.submitToKeys(Set.of(key), theirs))).containsEntry(key, "dep-a");
    // a write that did not go through this store reaches its view by the map's events
    assertThat(eventually(() -> pins.read(List.of(key, "absent-" + key)).owners(), owners -> !owners.isEmpty()))
        .isEqualTo(Map.of(key, "dep-a"));
    // a replacement only wins against the stale owner it names
    PinWrite wrongStale = new PinWrite(PinWrite.Kind.REPLACE, "dep-c", "dep-b", 300);
    assertThat(scopes(map.submitToKeys(Set.of(key), wrongStale))).containsEntry(key, "dep-a");
    PinWrite rightStale = new PinWrite(PinWrite.Kind.REPLACE, "dep-c", "dep-a", 300);
    assertThat(scopes(map.submitToKeys(Set.of(key), rightStale))).containsEntry(key, "dep-c");
  }

  @Test
  void aClaimCanWarmUpUntilItsRequestIsAnswered() throws Exception {
    PrefixChain chain = agentChain(5);
    LookupPlan lookup = LookupPlan.of(chain);
    PinPlan plan = PinPlan.of(chain, 1024);
    AffinityDecision claim = AffinityDecision.decide(lookup, plan, Map.of(), Set.of("x"), () -> "x");
    PinStore.Found written = join(pins.apply(claim, 1234L));
    assertThat(written.owners()).hasSize(plan.pins().size()).containsOnlyKeys(written.warming().keySet());
    assertThat(written.warming()).allSatisfy((key, since) -> assertThat(since).isEqualTo(1234L));

    // a later claim for another scope loses and sees the warm-up; a refresh keeps it
    AffinityDecision late = AffinityDecision.decide(lookup, plan, Map.of(), Set.of("y"), () -> "y");
    PinStore.Found lost = join(pins.apply(late, 5678L));
    assertThat(lost.owners().values()).containsOnly("x");
    assertThat(lost.warming().values()).containsOnly(1234L);
    PinStore.Found found = pins.read(lookup.keys());
    AffinityDecision refresh = AffinityDecision.decide(lookup, plan, found.owners(), Set.of("x"), () -> "x");
    join(pins.apply(refresh, 0));
    assertThat(pins.read(lookup.keys()).warming()).hasSize(plan.pins().size());

    // once answered, the pins are warm and still name the same scope
    Map<String, Long> keys = new HashMap<>();
    claim.claims().forEach(pin -> keys.put(pin.key(), 300L));
    join(pins.warmed(keys, "x"));
    PinStore.Found warm = pins.read(lookup.keys());
    assertThat(warm.warming()).isEmpty();
    assertThat(warm.owners().values()).containsOnly("x");
  }

  @Test
  void aWarmUpGivenUpIsTakenOverByTheFirstWaitingRequestToAsk() throws Exception {
    LookupPlan lookup = LookupPlan.of(agentChain(9));
    PinPlan plan = PinPlan.of(agentChain(9), 1024);
    AffinityDecision claim = AffinityDecision.decide(lookup, plan, Map.of(), Set.of("x"), () -> "x");
    join(pins.apply(claim, 1234L));
    String key = claim.claims().get(0).key();
    Map<String, Long> keys = Map.of(key, 300L);

    // only the writer's own mark releases it
    assertThat(join(pins.release(keys, "x", 999L)).changed()).isEmpty();
    assertThat(join(pins.release(keys, "y", 1234L)).changed()).isEmpty();
    PinStore.Found released = join(pins.release(keys, "x", 1234L));
    assertThat(released.changed()).containsExactly(key);
    PinStore.Found seen = pins.read(List.of(key));
    assertThat(seen.released()).containsExactly(key);
    assertThat(seen.warming()).isEmpty();
    assertThat(seen.owners()).containsEntry(key, "x");

    // two waiting requests ask: the first takes it, warming under its mark; the second finds it taken
    PinStore.Found first = join(pins.take(key, 300, "x", 5000L));
    assertThat(first.changed()).containsExactly(key);
    assertThat(first.warming()).containsEntry(key, 5000L);
    PinStore.Found second = join(pins.take(key, 300, "x", 6000L));
    assertThat(second.changed()).isEmpty();
    assertThat(second.warming()).containsEntry(key, 5000L);
    assertThat(pins.read(List.of(key)).released()).isEmpty();
    // a pin that was never released cannot be taken
    String other = claim.claims().get(1).key();
    assertThat(join(pins.take(other, 300, "x", 7000L)).changed()).isEmpty();
    assertThat(pins.read(List.of(other)).warming()).containsEntry(other, 1234L);
  }

  @Test
  void pinsCarryTheBreakpointTtl() throws Exception {
    String five = "ttl5-" + UUID.randomUUID();
    String hour = "ttl60-" + UUID.randomUUID();
    String day = "ttl24h-" + UUID.randomUUID();
    IMap<String, String> map = hazelcast.getMap(PinMap.NAME);
    for (var pin : Map.of(five, CacheTtl.FIVE_MINUTES, hour, CacheTtl.ONE_HOUR, day, CacheTtl.TWENTY_FOUR_HOURS)
        .entrySet()) {
      map.submitToKeys(Set.of(pin.getKey()), new PinWrite(PinWrite.Kind.CLAIM, "d", null,
          pin.getValue().duration().toSeconds())).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    assertThat(map.getEntryView(five).getTtl()).isEqualTo(TimeUnit.MINUTES.toMillis(5));
    assertThat(map.getEntryView(hour).getTtl()).isEqualTo(TimeUnit.HOURS.toMillis(1));
    // longer than the map-level default: the entry's own TTL wins
    assertThat(map.getEntryView(day).getTtl()).isEqualTo(TimeUnit.HOURS.toMillis(24));
  }

  /** Key → the scope each raw pin value of an entry processor's answer names (changed or not). */
  static Map<String, String> scopes(java.util.concurrent.CompletionStage<Map<String, String>> answer)
      throws Exception {
    Map<String, String> scopes = new HashMap<>();
    answer.toCompletableFuture().get(30, TimeUnit.SECONDS).forEach((key, raw) -> scopes.put(key,
        PinValue.scopeOf(raw.charAt(0) == PinWrite.CHANGED ? raw.substring(1) : raw)));
    return scopes;
  }

  /** The prefix chain of an agent request, in a scope of its own so that tests never see each other's pins. */
  private static PrefixChain agentChain(long seed) throws Exception {
    var fixture = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
        dev.affinity.emulator.workload.AgentWorkload.agentRequestFixture(seed));
    return PrefixChain.ofMessages(fixture, "tenant\u0000alias-" + UUID.randomUUID());
  }

  @Test
  void decisionWritesRoundTripThroughTheMap() throws Exception {
    PrefixChain chain = agentChain(3);
    LookupPlan lookup = LookupPlan.of(chain);
    PinPlan plan = PinPlan.of(chain, 1024);
    AffinityDecision claim = AffinityDecision.decide(lookup, plan, Map.of(), Set.of("x", "y"), () -> "x");
    Map<String, String> owners = join(pins.apply(claim, 0)).owners();
    assertThat(owners).hasSize(plan.pins().size()).containsValue("x").doesNotContainValue("y");
    Map<String, String> found = pins.read(lookup.keys()).owners();
    AffinityDecision next = AffinityDecision.decide(lookup, plan, found, Set.of("x", "y"), () -> "y");
    assertThat(next.deploymentId()).isEqualTo("x");
  }

  @Test
  void eachTenantsPinsAreCountedAndRemovalsEvictionsAndExpiriesFreeThem() throws Exception {
    String tenant = "t" + UUID.randomUUID().toString().substring(0, 11);
    String k1 = "k1-" + tenant;
    String k2 = "k2-" + tenant;
    String k3 = "k3-" + tenant;
    String k4 = "k4-" + tenant;
    join(pins.write(Map.of(new PinStore.Write(PinStore.Write.Kind.CLAIM, "dep-a", null, 300, 0, tenant),
        Set.of(k1, k2, k3))));
    assertThat(pins.pinsOf(tenant)).as("counted as the write answers").isEqualTo(3);
    // a claim another tenant loses, a refresh and an added owner leave the pin, and its count, where it was
    join(pins.write(Map.of(new PinStore.Write(PinStore.Write.Kind.CLAIM, "dep-b", null, 300, 0, "other"),
        Set.of(k1))));
    join(pins.write(Map.of(new PinStore.Write(PinStore.Write.Kind.REFRESH, "dep-a", null, 3600, 0),
        Set.of(k1))));
    join(pins.write(Map.of(new PinStore.Write(PinStore.Write.Kind.ADD_OWNER, "dep-b", null, 300, 0, "other"),
        Set.of(k2))));
    assertThat(pins.pinsOf(tenant)).isEqualTo(3);
    assertThat(pins.pinsOf("other")).isZero();

    // a second view of the map (another node) counts what it loads
    PinMap other = PinMap.open(hazelcast);
    try {
      assertThat(other.pinsOf(tenant)).isEqualTo(3);
      IMap<String, String> map = hazelcast.getMap(PinMap.NAME);
      map.remove(k1);
      assertThat(eventually(() -> pins.pinsOf(tenant), n -> n == 2)).isEqualTo(2);
      map.evict(k2);
      assertThat(eventually(() -> other.pinsOf(tenant), n -> n == 1)).isEqualTo(1);
      // a pin of one second: read once it is past its expiry, the map expires it and tells every view
      join(pins.write(Map.of(new PinStore.Write(PinStore.Write.Kind.CLAIM, "dep-a", null, 1, 0, tenant),
          Set.of(k4))));
      assertThat(pins.pinsOf(tenant)).isEqualTo(2);
      assertThat(eventually(() -> {
        map.containsKey(k4);
        return other.pinsOf(tenant);
      }, n -> n == 1)).isEqualTo(1);
      assertThat(eventually(() -> pins.pinsOf(tenant), n -> n == 1)).isEqualTo(1);
    } finally {
      other.close();
    }
    assertThat(pins.pinsOf(tenant)).as("closing another view leaves this one's counts").isEqualTo(1);
  }

  /** Measures what a pin costs in memory (owned entry plus its backup); docs/affinity.md quotes the figure. */
  @Test
  void memoryPerPinIsSmall() throws Exception {
    HazelcastInstance own = Hazelcast.newHazelcastInstance(ClusterSettings.loopback("mem-" + UUID.randomUUID())
        .hazelcastConfig());
    try {
      IMap<String, String> map = own.getMap(PinMap.NAME);
      int count = 20_000;
      PinWrite claim = new PinWrite(PinWrite.Kind.CLAIM, "dep-18e736a804", null, 300);
      Set<String> batch = new HashSet<>();
      for (int i = 0; i < count; i++) {
        // keys as PrefixChain makes them: 22 characters of base64url
        batch.add(String.format("%022d", i).replace('0', 'A'));
        if (batch.size() == 1000) {
          map.submitToKeys(batch, claim).toCompletableFuture().get();
          batch = new HashSet<>();
        }
      }
      LocalMapStats stats = map.getLocalMapStats();
      long perPin = stats.getOwnedEntryMemoryCost() / stats.getOwnedEntryCount();
      System.out.printf("pins=%d owned entry memory cost=%d bytes, per pin=%d bytes%n", stats.getOwnedEntryCount(),
          stats.getOwnedEntryMemoryCost(), perPin);
      assertThat(stats.getOwnedEntryCount()).isEqualTo(count);
      assertThat(perPin).isBetween(50L, 400L);
    } finally {
      own.shutdown();
    }
  }
}
