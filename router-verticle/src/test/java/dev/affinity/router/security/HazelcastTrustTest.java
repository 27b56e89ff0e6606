package dev.affinity.router.security;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.affinity.router.node.ClusterSettings;
import dev.affinity.router.pins.CooldownMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Issue 12 finding 2: what the open-source Hazelcast lets a member (or anyone reaching its port) do. Two
 * installations on a network with the default name merged; any Serializable class was deserialized; values read
 * from shared maps were trusted (a cooldown of Long.MAX_VALUE cooled a deployment forever).
 */
class HazelcastTrustTest {

  @Test
  void outsideLoopbackTheClusterNameMustBeGiven() {
    assertThatThrownBy(() -> ClusterSettings.from(Map.of("cluster-interface", "10.0.0.*"), Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--cluster-name");
    assertThat(ClusterSettings.from(Map.of("cluster-interface", "10.0.0.*", "cluster-name", "prod-eu",
        "cluster-plaintext", "true"), Map.of())
        .name()).isEqualTo("prod-eu");
    assertThat(ClusterSettings.from(Map.of(), Map.of()).name()).isEqualTo("affinity");
  }

  @Test
  @Timeout(120)
  void aMemberDeserializesNoArbitraryClassAndClampsTheCooldownsItReads() throws Exception {
    // the filter is on by default: nothing is set here
    HazelcastInstance hazelcast = Hazelcast.newHazelcastInstance(
        ClusterSettings.loopback("trust-" + UUID.randomUUID()).hazelcastConfig());
    try {
      IMap<String, Object> raw = hazelcast.getMap("anything");
      raw.put("gadget", new File("/tmp"));
      Throwable refused = catchThrowable(() -> raw.get("gadget"));
      assertThat(refused).as("a java.io class is not on the filter's list").isNotNull();
      raw.put("fine", List.of(1L, 2L));
      assertThat(raw.get("fine")).isEqualTo(List.of(1L, 2L));

      IMap<Object, Object> cooldowns = hazelcast.getMap(CooldownMap.NAME);
      Map<String, Long> applied = new ConcurrentHashMap<>();
      new CooldownMap(hazelcast).followBlocking(List.of("dep-1", "dep-2"), applied::put);
      cooldowns.put("dep-1", Long.MAX_VALUE);
      cooldowns.put("dep-2", "not a number");
      cooldowns.put("no-such-deployment", System.currentTimeMillis() + 1000);
      for (int i = 0; i < 100 && !applied.containsKey("dep-1"); i++) {
        Thread.sleep(50);
      }
      Thread.sleep(300);
      assertThat(applied.get("dep-1")).isLessThanOrEqualTo(System.currentTimeMillis() + 3_600_000);
      assertThat(applied).doesNotContainKeys("dep-2", "no-such-deployment");
    } finally {
      hazelcast.shutdown();
    }
  }
}
