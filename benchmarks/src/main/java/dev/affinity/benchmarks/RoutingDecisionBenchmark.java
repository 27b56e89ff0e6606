package dev.affinity.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.affinity.emulator.workload.AgentWorkload;
import dev.affinity.router.cache.AffinityDecision;
import dev.affinity.router.cache.LookupPlan;
import dev.affinity.router.cache.MinimumCacheable;
import dev.affinity.router.cache.PinPlan;
import dev.affinity.router.cache.ChainHash;
import dev.affinity.router.cache.PrefixChain;
import dev.affinity.router.ingress.IngressPipeline;
import com.dynatrace.hash4j.hashing.HashValue128;
import com.dynatrace.hash4j.hashing.Hashing;
import dev.affinity.router.routing.ModelField;
import io.vertx.core.buffer.Buffer;
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
import org.openjdk.jmh.infra.Blackhole;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The CPU cost of a routing decision for one ~50 KB agent request ({@link AgentWorkload#agentRequestFixture(long)}),
 * step by step as {@code CacheAffinityPolicy} takes it, and as a whole. The pin-map round trip is not here (see
 * {@link PinLookupBenchmark}): {@link #decision()} decides against an in-memory map of what a lookup would return.
 *
 * <p>Single-threaded on purpose: a decision runs on one event loop, so its latency on one core is the number that
 * matters. Sample mode, so that the median and the tail are reported, not only the mean.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
@State(Scope.Benchmark)
public class RoutingDecisionBenchmark {

  private byte[] body;
  private Buffer bodyBuffer;
  private JsonNode request;
  private PrefixChain chain;
  private Map<String, String> found;
  private MessageDigest sha256;

  @Setup
  public void setUp() throws NoSuchAlgorithmException {
    AgentTurn turn = AgentTurn.fixture(42);
    body = turn.body;
    bodyBuffer = Buffer.buffer(body);
    request = turn.request;
    chain = turn.chain;
    found = turn.previousTurnPins;
    sha256 = MessageDigest.getInstance("SHA-256");
    System.out.println();
    System.out.println("fixture: " + turn);
  }

  /** (a) Jackson: bytes to tree, as the ingress parses (duplicate keys refused, nesting bounded). */
  @Benchmark
  public JsonNode parse() {
    return IngressPipeline.parse(bodyBuffer);
  }

  /** (b) The prefix chain over the parsed tree: canonical form of every block, streamed into SHA-256. */
  @Benchmark
  public PrefixChain chain() {
    return PrefixChain.ofMessages(request, AgentTurn.SCOPE);
  }

  /** The chain as it was built before key version 2: SHA-256 truncated to 128 bits. */
  @Benchmark
  public PrefixChain chainSha256() {
    return PrefixChain.ofMessages(request, AgentTurn.SCOPE, ChainHash.Kind.SHA_256);
  }

  /** The chain with the other 128-bit candidate, Murmur3. */
  @Benchmark
  public PrefixChain chainMurmur3() {
    return PrefixChain.ofMessages(request, AgentTurn.SCOPE, ChainHash.Kind.MURMUR3_128);
  }

  /**
   * (c) Which keys to fetch and which to pin. The chain is built once and memoizes its keys, so this is the planning
   * alone; encoding the ~25 keys (base64) is counted in {@link #decision()}.
   */
  @Benchmark
  public void plans(Blackhole sink) {
    sink.consume(LookupPlan.of(chain));
    sink.consume(PinPlan.of(chain, MinimumCacheable.tokens(AgentTurn.UPSTREAM_MODEL)));
  }

  /** (d) The whole CPU side of a decision, from the body's bytes: parse, chain, plans, decide on a lookup hit. */
  @Benchmark
  public AffinityDecision decision() throws IOException {
    JsonNode parsed = AgentTurn.JSON.readTree(body);
    PrefixChain requestChain = PrefixChain.ofMessages(parsed, AgentTurn.SCOPE);
    LookupPlan lookup = LookupPlan.of(requestChain);
    PinPlan plan = PinPlan.of(requestChain, MinimumCacheable.tokens(AgentTurn.UPSTREAM_MODEL));
    return AffinityDecision.decide(lookup, plan, found, AgentTurn.ELIGIBLE, () -> AgentTurn.FALLBACK);
  }

  /** (e) The alias in {@code model} rewritten to the deployment's model id, every other byte kept. */
  @Benchmark
  public Buffer modelField() {
    return ModelField.replace(bodyBuffer, AgentTurn.UPSTREAM_MODEL);
  }

  /**
   * Floor for (b): SHA-256 over the raw body, once. The chain hashes about as many bytes (the canonical form of the
   * prefix fields), so the gap between the two is the cost of walking the tree and writing the canonical form.
   */
  @Benchmark
  public byte[] sha256OfBody() {
    return sha256.digest(body);
  }

  /** XXH3-128 (hash4j) over the raw 50 KB body, once: the hash the chain uses now. */
  @Benchmark
  public HashValue128 xxh3OfBody() {
    return Hashing.xxh3_128().hashBytesTo128Bits(body);
  }

  /** Murmur3-128 (hash4j) over the raw 50 KB body, once. */
  @Benchmark
  public HashValue128 murmur3OfBody() {
    return Hashing.murmur3_128().hashBytesTo128Bits(body);
  }
}
