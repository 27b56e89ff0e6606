package dev.affinity.router.pins;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.internal.serialization.Data;
import com.hazelcast.internal.serialization.SerializationService;
import com.hazelcast.internal.serialization.impl.HeapData;
import com.hazelcast.internal.serialization.impl.SerializationConstants;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.serialization.HazelcastSerializationException;
import com.hazelcast.spi.impl.SerializationServiceSupport;
import dev.affinity.router.cache.CacheTtl;
import dev.affinity.router.node.ClusterSettings;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import java.util.stream.Collectors;

import static dev.affinity.router.TestGateway.await;
import static dev.affinity.router.TestGateway.eventually;
import static dev.affinity.router.TestGateway.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The pin map's entry processors between Hazelcast members: identified data, not Java serialization; applied on the
 * member owning the key and on its backup; and a member configured without their factory fails loudly.
 */
class PinProcessorsTest {

  private static Vertx vertx;
  private static Context context;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
  }

  @AfterAll
  static void stop() throws Exception {
    await(vertx.close());
  }

  @Test
  void processorsTravelAsIdentifiedDataNotJavaSerialization() throws Exception {
    List<HazelcastInstance> members = startMembers(2, none -> false);
    try {
      SerializationService writer = ((SerializationServiceSupport) members.get(0)).getSerializationService();
      SerializationService reader = ((SerializationServiceSupport) members.get(1)).getSerializationService();
      List<Object> processors = List.of(
          new PinWrite(PinWrite.Kind.CLAIM, "dep-18e736a804", null, 300, 1_763_000_000_123L),
          new PinWrite(PinWrite.Kind.REPLACE, "dep-b", "dep-18e736a804", 3600, 0),
          new PinWrite(PinWrite.Kind.REFRESH, "dep-b", null, 86_400),
          new PinWrite(PinWrite.Kind.WARMED, "dep-b", null, 300),
          new PinWrite(PinWrite.Kind.RELEASE, "dep-b", null, 300, 1_763_000_000_123L),
          new PinWrite(PinWrite.Kind.TAKE, "dep-b", null, 300, 1_763_000_000_456L),
          new PinWrite(new PinStore.Write(PinStore.Write.Kind.CLAIM, "dep-b", null, 300, 0, "0123456789ab"),
              1_763_000_000_123L));
      for (Object processor : processors) {
        Data data = writer.toData(processor);
        assertThat(data.getType()).as("%s's serializer", processor)
            .isEqualTo(SerializationConstants.CONSTANT_TYPE_DATA_SERIALIZABLE)
            .isNotEqualTo(SerializationConstants.JAVA_DEFAULT_TYPE_SERIALIZABLE);
        // identified: the factory and class ids, no class name (plain DataSerializable and Java serialization
        // both write one)
        assertThat(new String(data.toByteArray(), StandardCharsets.ISO_8859_1)).doesNotContain("dev.affinity");
        assertThat(data.totalSize()).as("%s's size", processor).isLessThan(80);
        assertThat((Object) reader.toObject(data)).isEqualTo(processor);
      }
      // a member from before pin quotas wrote no tenant: its null string (an int, -1) is all that is missing
      PinWrite old = new PinWrite(PinWrite.Kind.CLAIM, "dep-b", null, 300, 0);
      byte[] bytes = writer.toData(old).toByteArray();
      Data withoutTenant = new HeapData(Arrays.copyOf(bytes, bytes.length - Integer.BYTES));
      assertThat((Object) reader.toObject(withoutTenant)).isEqualTo(old);
      // a kind this version does not know (a later member's, or forged) is refused, not an index out of bounds
      byte[] unknown = writer.toData(old).toByteArray().clone();
      int kindAt = indexOfKind(unknown, writer.toData(new PinWrite(PinWrite.Kind.REPLACE, "dep-b", null, 300, 0))
          .toByteArray());
      unknown[kindAt] = 42;
      assertThatThrownBy(() -> reader.toObject(new HeapData(unknown))).hasStackTraceContaining("unknown pin write kind");
    } finally {
      members.forEach(member -> member.getLifecycleService().terminate());
    }
  }

  /** Where the kind's byte is: the first byte in which two writes differing first by their kind differ. */
  private static int indexOfKind(byte[] one, byte[] other) {
    int at = Arrays.mismatch(one, other);
    assertThat(at).as("the writes differ").isNotNegative();
    return at;
  }

  @Test
  void aWriteOnAKeyTheOtherMemberOwnsRunsThereAndOnItsBackup() throws Exception {
    List<HazelcastInstance> members = startMembers(2, none -> false);
    HazelcastInstance caller = members.get(0);
    HazelcastInstance owner = members.get(1);
    try {
      PinMap pins = PinMap.open(caller);
      String key = keyOwnedBy(owner, caller);
      assertThat(join(pins.repoint(Map.of(key, CacheTtl.ONE_HOUR), "dep-old", "dep-a")).owners())
          .isEqualTo(Map.of(key, "dep-a"));
      IMap<String, String> map = caller.getMap(PinMap.NAME);
      // first writer wins across members too: a later claim for another deployment sees the pin
      assertThat(PinMapTest.scopes(map.submitToKeys(Set.of(key), new PinWrite(PinWrite.Kind.CLAIM, "dep-b", null, 300))))
          .isEqualTo(Map.of(key, "dep-a"));
      assertThat(pins.read(List.of(key)).owners()).isEqualTo(Map.of(key, "dep-a"));

      // The owner dies: its backup, on the caller, was written by the same processor, value and TTL included.
      String written = map.get(key);
      owner.getLifecycleService().terminate();
      assertThat(map.get(key)).isEqualTo(written);
      assertThat(caller.getPartitionService().getPartition(key).getOwner())
          .isEqualTo(caller.getCluster().getLocalMember());
      assertThat(map.getEntryView(key).getTtl()).isEqualTo(PinLifetime.seconds(CacheTtl.ONE_HOUR) * 1000);
    } finally {
      members.forEach(member -> member.getLifecycleService().terminate());
    }
  }

  @Test
  void everyMembersViewFollowsTheMapAndClaimsStayFirstWriterWins() throws Exception {
    List<HazelcastInstance> members = startMembers(2, none -> false);
    try {
      PinMap here = PinMap.open(members.get(0));
      PinMap there = PinMap.open(members.get(1));
      String key = keyOwnedBy(members.get(1), members.get(0));
      PinStore.Write claimA = new PinStore.Write(PinStore.Write.Kind.CLAIM, "dep-a", null, 300, 0);
      PinStore.Write claimB = new PinStore.Write(PinStore.Write.Kind.CLAIM, "dep-b", null, 300, 0);

      // before any event could arrive, the other node's view has nothing: its claim goes to the owner, and loses
      PinStore.Found won = join(here.write(Map.of(claimA, Set.of(key))));
      assertThat(won.owners()).isEqualTo(Map.of(key, "dep-a"));
      assertThat(won.changed()).containsExactly(key);
      PinStore.Found lost = join(there.write(Map.of(claimB, Set.of(key))));
      assertThat(lost.owners()).isEqualTo(Map.of(key, "dep-a"));
      assertThat(lost.changed()).isEmpty();
      // a claim for the same scope, a moment later, is not this writer's either
      assertThat(join(there.write(Map.of(claimA, Set.of(key)))).changed()).isEmpty();
      assertThat(there.read(List.of(key)).owners()).isEqualTo(Map.of(key, "dep-a"));

      // another key written on one member reaches the other's view by the map's events, expiry included
      String other = "view-" + UUID.randomUUID();
      PinStore.Found written = join(here.write(Map.of(claimA, Set.of(other))));
      assertThat(eventually(() -> there.read(List.of(other)), found -> !found.owners().isEmpty()).expiresAt())
          .isEqualTo(written.expiresAt());
      assertThat(written.expiresAt().get(other)).isGreaterThan(System.currentTimeMillis() + 290_000);

      // a replacement moves it everywhere; clearing the map empties every view
      join(there.write(Map.of(new PinStore.Write(PinStore.Write.Kind.REPLACE, "dep-c", "dep-a", 300, 0),
          Set.of(other))));
      assertThat(eventually(() -> here.read(List.of(other)).owners(), owners -> owners.containsValue("dep-c")))
          .isEqualTo(Map.of(other, "dep-c"));
      here.clear();
      assertThat(eventually(() -> there.read(List.of(key, other)).owners(), Map::isEmpty)).isEmpty();
      assertThat(there.viewSize()).isZero();
    } finally {
      members.forEach(member -> member.getLifecycleService().terminate());
    }
  }

  @Test
  void aMemberWithoutTheFactoryIsRefusedAndCannotReadPinWrites() throws Exception {
    List<HazelcastInstance> members = startMembers(2, index -> index == 1);
    HazelcastInstance configured = members.get(0);
    HazelcastInstance bare = members.get(1);
    try {
      assertThat(PinMap.open(configured)).isNotNull();
      assertThatThrownBy(() -> PinMap.open(bare)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("ClusterSettings.hazelcastConfig()");
      // and were it used anyway, the pin writes sent to it fail instead of being lost
      String key = keyOwnedBy(bare, configured);
      IMap<String, String> map = configured.getMap(PinMap.NAME);
      assertThatThrownBy(() -> map.submitToKeys(Set.of(key), new PinWrite(PinWrite.Kind.CLAIM, "dep-a", null, 300))
          .toCompletableFuture().get(30, TimeUnit.SECONDS))
          .hasRootCauseInstanceOf(HazelcastSerializationException.class);
    } finally {
      members.forEach(member -> member.getLifecycleService().terminate());
    }
  }

  @Test
  void clusterSettingsRegisterTheFactoryWhateverTheXml(@TempDir Path dir) throws Exception {
    Path own = dir.resolve("own-cluster.xml");
    try (InputStream bundled = ClusterSettings.class.getResourceAsStream(ClusterSettings.BUNDLED)) {
      Files.copy(bundled, own);
    }
    for (Path file : new Path[] {null, own}) {
      Config config = new ClusterSettings(file, "127.0.0.1", 5701, "127.0.0.1", "any").hazelcastConfig();
      assertThat(config.getSerializationConfig().getDataSerializableFactories().get(PinProcessors.FACTORY_ID))
          .isInstanceOf(PinProcessors.class);
    }

    // an XML that names the factory itself is taken as it is; one that gives its id to another factory is refused
    String xml = Files.readString(own);
    Files.writeString(own, xml.replace("<properties>", """
        <serialization><data-serializable-factories>
          <data-serializable-factory factory-id="%d">%s</data-serializable-factory>
        </data-serializable-factories></serialization>
        <properties>""".formatted(PinProcessors.FACTORY_ID, PinProcessors.class.getName())));
    Config named = new ClusterSettings(own, "127.0.0.1", 5701, "127.0.0.1", "any").hazelcastConfig();
    assertThat(named.getSerializationConfig().getDataSerializableFactories())
        .doesNotContainKey(PinProcessors.FACTORY_ID);
    assertThat(named.getSerializationConfig().getDataSerializableFactoryClasses())
        .containsEntry(PinProcessors.FACTORY_ID, PinProcessors.class.getName());
    Files.writeString(own, Files.readString(own).replace(PinProcessors.class.getName(), "com.example.Theirs"));
    assertThatThrownBy(() -> new ClusterSettings(own, "127.0.0.1", 5701, "127.0.0.1", "any").hazelcastConfig())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("com.example.Theirs");
  }

  /**
   * {@code count} members on free loopback ports that list each other, in a cluster of their own, configured as a
   * node is; those {@code withoutPinProcessors} picks lose the pin map's factory.
   */
  private static List<HazelcastInstance> startMembers(int count, IntPredicate withoutPinProcessors)
      throws IOException, InterruptedException {
    int[] ports = new int[count];
    for (int i = 0; i < count; i++) {
      try (ServerSocket probe = new ServerSocket(0)) {
        ports[i] = probe.getLocalPort();
      }
    }
    String list = Arrays.stream(ports).mapToObj(port -> "127.0.0.1:" + port)
        .collect(Collectors.joining(","));
    ClusterSettings settings = new ClusterSettings(null, list, ports[0], "127.0.0.1",
        "pin-processors-" + UUID.randomUUID());
    List<HazelcastInstance> members = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        Config config = settings.hazelcastConfig();
        config.getNetworkConfig().setPort(ports[i]).setPortAutoIncrement(false);
        if (withoutPinProcessors.test(i)) {
          config.getSerializationConfig().setDataSerializableFactories(new HashMap<>());
        }
        members.add(Hazelcast.newHazelcastInstance(config));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      for (HazelcastInstance member : members) {
        while (member.getCluster().getMembers().size() < count || !member.getPartitionService().isClusterSafe()) {
          assertThat(System.nanoTime()).as("members formed one cluster within 60 s").isLessThan(deadline);
          Thread.sleep(50);
        }
      }
      return members;
    } catch (IOException | InterruptedException | RuntimeException | AssertionError failed) {
      members.forEach(member -> member.getLifecycleService().terminate());
      throw failed;
    }
  }

  /** A key whose partition {@code owner} owns, as {@code caller} sees it. */
  private static String keyOwnedBy(HazelcastInstance owner, HazelcastInstance caller) {
    while (true) {
      String key = "remote-" + UUID.randomUUID();
      if (owner.getCluster().getLocalMember().equals(caller.getPartitionService().getPartition(key).getOwner())) {
        return key;
      }
    }
  }
}
