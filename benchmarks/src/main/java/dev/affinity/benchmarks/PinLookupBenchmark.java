package dev.affinity.benchmarks;

import dev.affinity.router.cache.AffinityDecision;
import dev.affinity.router.pins.PinMap;
import io.vertx.core.Context;
import io.vertx.core.Future;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Map;
import java.util.HashSet;
import java.util.concurrent.TimeUnit;

/**
 * The pin-map round trips of one request, through {@link PinMap} as the router makes them, against real Hazelcast
 * members (see {@link PinCluster}: one member, or three in this JVM on loopback, holding 100k pins).
 *
 * <ul>
 *   <li>{@link #lookup} reads the 29 keys of the agent request from the node's view of the map (no round trip), and
 *       {@link #nearCacheGetAll} the same keys through a Hazelcast near cache, the alternative measured against it;</li>
 *   <li>{@link #refresh} extends the TTL of the 28 pins that lookup found: the write a pinned request makes (the
 *       router does not wait for it, but the map does the work).</li>
 * </ul>
 *
 * <p>The benchmark thread stands for a request: it calls from outside Vert.x and blocks on the future, which
 * completes on its own event-loop context as it would in the routing verticle, so the hop back to the event loop is
 * counted. One thread here, four in {@link FourThreads}, to see how latency holds when requests overlap.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {
    "-Xms1g", "-Xmx1g",
    "-Djava.net.preferIPv4Stack=true",
    "-Dhazelcast.phone.home.enabled=false",
    // what Hazelcast asks for on Java 17, so that it uses its fast paths and prints no warning
    "--add-modules", "java.se",
    "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
    "--add-opens", "java.base/java.lang=ALL-UNNAMED",
    "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens", "java.management/sun.management=ALL-UNNAMED",
    "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 4, time = 2)
@Threads(1)
public class PinLookupBenchmark {

  /** One caller and its event-loop context (JMH sets thread state up on the benchmark thread itself). */
  @State(Scope.Thread)
  public static class Caller {
    Context context;

    @Setup
    public void setUp(PinCluster cluster) {
      context = cluster.context();
    }
  }

  /** What a request reads now: the node's own view of the pin map, on the caller's thread. */
  @Benchmark
  public Map<String, String> lookup(PinCluster cluster) {
    return cluster.pins().read(cluster.turn().lookup.keys()).owners();
  }

  /**
   * The alternative that was measured against the view: {@code getAll} of the same keys on a map with a near cache.
   * Present keys are served from the near cache once read; absent ones (most of a request's keys) are not cached by
   * it and go to their owners every time. Blocking, as {@code IMap.getAll} is.
   */
  @Benchmark
  public Map<String, String> nearCacheGetAll(PinCluster cluster) {
    return cluster.nearCached().getAll(new HashSet<>(cluster.turn().lookup.keys()));
  }

  /** A refresh of every pin of a request, waited for on the caller's event-loop context (the router no longer waits). */
  @Benchmark
  public Map<String, String> refresh(PinCluster cluster, Caller caller) {
    AffinityDecision hit = cluster.repeatedTurn();
    return await(Future.fromCompletionStage(cluster.pins().apply(hit, 0), caller.context)).owners();
  }

  /** The same benchmarks with four requests in flight at once. */
  @Threads(4)
  public static class FourThreads extends PinLookupBenchmark {
  }

  static <T> T await(Future<T> future) {
    return future.toCompletionStage().toCompletableFuture().join();
  }
}
