package dev.affinity.router.node;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.UUID;

import static dev.affinity.router.TestGateway.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The guard knows the cluster's members by the addresses in Hazelcast's member list, which it reads locally: a
 * member's address is one, any other is not, and before the node has joined none is.
 */
class GuardedClusterManagerTest {

  @Test
  @Timeout(120)
  void membersAreKnownByTheirAddressInTheMemberList() throws Exception {
    ClusterSettings cluster = ClusterSettings.loopback("guard-members-" + UUID.randomUUID());
    GuardedClusterManager manager = new GuardedClusterManager(cluster.hazelcastConfig(), cluster.eventBusHost(),
        1024, null);
    assertThat(manager.isMember("127.0.0.1")).as("before the node joined").isFalse();
    Vertx vertx = await(Vertx.builder().with(new VertxOptions().setEventBusOptions(cluster.nodeEventBusOptions()))
        .withClusterManager(manager).buildClustered());
    try {
      assertThat(manager.isMember("127.0.0.1")).isTrue();
      assertThat(manager.isMember("127.0.0.2")).isFalse();
      assertThat(manager.isMember("unknown")).isFalse();
      assertThat(manager.guard()).isNotNull();
    } finally {
      await(vertx.close());
    }
  }
}
