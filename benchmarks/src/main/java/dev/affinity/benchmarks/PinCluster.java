package dev.affinity.benchmarks;

import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.NearCacheConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.affinity.router.cache.AffinityDecision;
import dev.affinity.router.node.ClusterSettings;
import dev.affinity.router.pins.PinMap;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Hazelcast members in this JVM, on loopback, configured from the bundled cluster.xml exactly as a node is (through
 * {@link ClusterSettings}, under a cluster name of their own), with the pin map pre-filled. The benchmark talks to the
 * first member, so with three members about two keys in three live on another member, one loopback hop away.
 */
@State(Scope.Benchmark)
public class PinCluster {

  private static final int PUT_BATCH = 10_000;
  /**
   * The same pins in a map with a Hazelcast near cache (invalidated on change, local entries cached too): the
   * alternative to the pin map's own node-local view that {@code PinLookupBenchmark.nearCacheGetAll} measures.
   */
  static final String NEAR_CACHED = "bench.pins.near-cached";

  // Held so that the level set on it is not collected with it.
  private static final Logger HAZELCAST_LOG = Logger.getLogger("com.hazelcast");

  /** Hazelcast members in the cluster; the benchmark calls the first. */
  @Param({"1", "3"})
  public int members;

  /** Pins in the map besides the request's own, so that the map is not trivially small. */
  @Param({"100000"})
  public int pins;

  private final List<HazelcastInstance> instances = new ArrayList<>();
  private Vertx vertx;
  private PinMap pinMap;
  private AgentTurn turn;
  private AffinityDecision repeatedTurn;

  @Setup(Level.Trial)
  public void start() throws IOException {
    HAZELCAST_LOG.setLevel(java.util.logging.Level.WARNING);
    turn = AgentTurn.fixture(42);
    startMembers();
    fill(instances.get(0).getMap(PinMap.NAME));
    fill(instances.get(0).getMap(NEAR_CACHED));

    vertx = Vertx.vertx();
    pinMap = PinMap.open(instances.get(0));
    // Turn 3 as the router plays it: the lookup finds the earlier turns' pins, the decision claims the new prefix.
    Map<String, String> found = pinMap.read(turn.lookup.keys()).owners();
    if (!found.equals(turn.previousTurnPins)) {
      throw new IllegalStateException("lookup found " + found.size() + " pins, expected "
          + turn.previousTurnPins.size());
    }
    pinMap.apply(turn.decide(found), 0).toCompletableFuture().join();
    // The same prompt again (a retry, a sub-agent, the next request before the reply grows the conversation): every
    // key is now pinned to the chosen deployment, so the decision only refreshes.
    repeatedTurn = turn.decide(pinMap.read(turn.lookup.keys()).owners());
    if (!repeatedTurn.claims().isEmpty() || !repeatedTurn.replacements().isEmpty()
        || repeatedTurn.refreshes().isEmpty()) {
      throw new IllegalStateException("expected a refresh-only decision, got " + repeatedTurn);
    }
    System.out.println();
    System.out.println("pin map: " + members + " member(s), " + instances.get(0).getMap(PinMap.NAME).size()
        + " pins; request: " + turn + "; refresh writes " + repeatedTurn.refreshes().size() + " keys");
  }

  @TearDown(Level.Trial)
  public void stop() {
    if (vertx != null) {
      PinLookupBenchmark.await(vertx.close());
    }
    instances.forEach(HazelcastInstance::shutdown);
    instances.clear();
  }

  PinMap pins() {
    return pinMap;
  }

  IMap<String, String> nearCached() {
    return instances.get(0).getMap(NEAR_CACHED);
  }

  AgentTurn turn() {
    return turn;
  }

  /** The decision of a request whose every prefix is already pinned: refreshes only. */
  AffinityDecision repeatedTurn() {
    return repeatedTurn;
  }

  /** The calling thread's event-loop context: each benchmark thread gets its own, as each verticle instance has. */
  Context context() {
    return vertx.getOrCreateContext();
  }

  private void startMembers() throws IOException {
    int port = freePorts(members);
    String memberList = IntStream.range(0, members).mapToObj(i -> "127.0.0.1:" + (port + i))
        .collect(Collectors.joining(","));
    ClusterSettings settings = new ClusterSettings(null, memberList, port, "127.0.0.1",
        "affinity-bench-" + UUID.randomUUID());
    for (int i = 0; i < members; i++) {
      Config config = settings.hazelcastConfig();
      config.addMapConfig(new MapConfig(config.getMapConfig(PinMap.NAME)).setName(NEAR_CACHED)
          .setNearCacheConfig(new NearCacheConfig(NEAR_CACHED).setInvalidateOnChange(true)
              .setCacheLocalEntries(true).setInMemoryFormat(InMemoryFormat.OBJECT)));
      config.getNetworkConfig().setPort(port + i).setPortAutoIncrement(false);
      instances.add(Hazelcast.newHazelcastInstance(config));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    for (HazelcastInstance instance : instances) {
      while (instance.getCluster().getMembers().size() < members || !instance.getPartitionService().isClusterSafe()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("members did not form one cluster of " + members + " within 60 s");
        }
        sleep(50);
      }
    }
  }

  /** Random keys shaped like prefix keys (16 bytes, base64url), spread over three deployments. */
  private void fill(IMap<String, String> map) {
    SplittableRandom random = new SplittableRandom(7);
    Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
    byte[] hash = new byte[16];
    Map<String, String> batch = new HashMap<>();
    for (int i = 0; i < pins; i++) {
      random.nextBytes(hash);
      batch.put(base64.encodeToString(hash), "deployment-" + (char) ('a' + i % 3));
      if (batch.size() == PUT_BATCH) {
        map.putAll(batch);
        batch.clear();
      }
    }
    batch.putAll(turn.previousTurnPins);
    map.putAll(batch);
  }

  /** The first of {@code count} consecutive free loopback ports, away from the 5701 a node running here would use. */
  private static int freePorts(int count) throws IOException {
    SplittableRandom random = new SplittableRandom();
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    for (int attempt = 0; attempt < 100; attempt++) {
      int first = random.nextInt(20_000, 30_000);
      boolean free = true;
      for (int port = first; port < first + count && free; port++) {
        try (ServerSocket probe = new ServerSocket(port, 1, loopback)) {
          probe.setReuseAddress(true);
        } catch (IOException busy) {
          free = false;
        }
      }
      if (free) {
        return first;
      }
    }
    throw new IOException("no " + count + " consecutive free ports between 20000 and 30000");
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the cluster formed", e);
    }
  }
}
