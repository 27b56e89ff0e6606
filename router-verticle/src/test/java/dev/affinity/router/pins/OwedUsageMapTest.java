package dev.affinity.router.pins;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.affinity.model.Caller;
import dev.affinity.model.RouteKind;
import dev.affinity.model.UsageReport;
import dev.affinity.router.node.ClusterSettings;
import dev.affinity.router.routing.BackgroundCall;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cluster's background calls on two members: one member's call is settled by whichever member reads its
 * response back first, once in the cluster however many read it at the same time; a value written by anyone else
 * than a node is not booked.
 */
@Timeout(120)
class OwedUsageMapTest {

  private static HazelcastInstance first;
  private static HazelcastInstance second;

  @BeforeAll
  static void start() throws Exception {
    String name = "owed-" + UUID.randomUUID();
    first = Hazelcast.newHazelcastInstance(ClusterSettings.loopback(name).hazelcastConfig());
    second = Hazelcast.newHazelcastInstance(ClusterSettings.loopback(name).hazelcastConfig());
  }

  @AfterAll
  static void stop() {
    second.shutdown();
    first.shutdown();
  }

  private static BackgroundCall call(String requestId) {
    return new BackgroundCall(new UsageReport.Pending(requestId, "gpt-4o", "oa-1", RouteKind.CLAIMED, false,
        Caller.ADMIN), 200, UsageReport.Timing.UNKNOWN);
  }

  @Test
  void aCallIsSettledOnceWhicheverMembersReadItBack() throws Exception {
    OwedUsageMap here = new OwedUsageMap(first, "oa-1"::equals);
    OwedUsageMap there = new OwedUsageMap(second, "oa-1"::equals);
    for (int round = 0; round < 10; round++) {
      String id = "resp_" + UUID.randomUUID();
      here.owe(id, call("req-" + round));
      awaitOwed(id);
      List<CompletableFuture<Optional<BackgroundCall>>> reads = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        reads.add((i % 2 == 0 ? here : there).settle(id).toCompletableFuture());
      }
      long settled = 0;
      for (CompletableFuture<Optional<BackgroundCall>> read : reads) {
        Optional<BackgroundCall> got = read.get(30, TimeUnit.SECONDS);
        if (got.isPresent()) {
          settled++;
          assertThat(got.get()).isEqualTo(call("req-" + round));
        }
      }
      assertThat(settled).as("round " + round).isEqualTo(1);
    }
  }

  @Test
  void anEntryCarriesTheTtlOfACallWaitingForItsUsage() throws Exception {
    String id = "resp_" + UUID.randomUUID();
    new OwedUsageMap(first, "oa-1"::equals).owe(id, call("req-ttl"));
    awaitOwed(id);
    long ttl = second.getMap(OwedUsageMap.NAME).getEntryView(id).getTtl();
    assertThat(ttl).isEqualTo(TimeUnit.HOURS.toMillis(24));
  }

  @Test
  void aValueNoNodeWroteIsNotBooked() throws Exception {
    second.getMap(OwedUsageMap.NAME).put("resp_forged", call("req-forged").encode().replace("oa-1", "oa-9"));
    second.getMap(OwedUsageMap.NAME).put("resp_object", 12L);
    OwedUsageMap here = new OwedUsageMap(first, "oa-1"::equals);
    assertThat(here.settle("resp_forged").toCompletableFuture().get(30, TimeUnit.SECONDS)).isEmpty();
    assertThat(here.settle("resp_object").toCompletableFuture().get(30, TimeUnit.SECONDS)).isEmpty();
    assertThat(here.settle("resp_never_owed").toCompletableFuture().get(30, TimeUnit.SECONDS)).isEmpty();
  }

  /** {@code owe} is fire and forget: the entry is there once a member sees it. */
  private static void awaitOwed(String id) throws InterruptedException {
    for (int i = 0; i < 200 && !second.getMap(OwedUsageMap.NAME).containsKey(id); i++) {
      Thread.sleep(10);
    }
    assertThat(second.getMap(OwedUsageMap.NAME).containsKey(id)).isTrue();
  }
}
