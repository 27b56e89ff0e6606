package dev.affinity.router.pins;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.replicatedmap.ReplicatedMap;
import dev.affinity.router.routing.DeploymentLoad;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Each node's load per deployment (requests in flight, requests and tokens in the last minute), published about
 * every second to a Hazelcast {@code ReplicatedMap} named {@value #NAME}: every member holds a copy, so reading the
 * cluster's load is a local read, and a request never waits on the network for it. An entry lives a few seconds
 * unless refreshed, so a node that left stops counting. Values read are validated: only configured deployment ids and
 * non-negative numbers are taken.
 *
 * <p>Value: one line per deployment, {@code id \t inFlight \t requestsPerMinute \t tokensPerMinute}.
 */
public final class LoadMap {

  public static final String NAME = "affinity.load";
  private static final long ENTRY_TTL_SECONDS = 5;

  private final ReplicatedMap<String, String> map;
  private final String nodeId;

  public LoadMap(HazelcastInstance hazelcast) {
    this.map = hazelcast.getReplicatedMap(NAME);
    this.nodeId = hazelcast.getCluster().getLocalMember().getUuid().toString();
  }

  /** Publishes this node's counts. Blocking (a replicated put): call it from a worker. */
  public void publishBlocking(Map<String, DeploymentLoad.Counts> own) {
    map.put(nodeId, encode(own), ENTRY_TTL_SECONDS, TimeUnit.SECONDS);
  }

  /** The other nodes' counts, added up per deployment, for the {@code known} deployments only. Local read. */
  public Map<String, DeploymentLoad.Counts> others(Set<String> known) {
    Map<String, DeploymentLoad.Counts> sum = new HashMap<>();
    map.forEach((node, value) -> {
      if (!node.equals(nodeId) && value != null) {
        decode(value, known).forEach((id, counts) -> sum.merge(id, counts, (a, b) ->
            new DeploymentLoad.Counts(a.inFlight() + b.inFlight(), a.requestsPerMinute() + b.requestsPerMinute(),
                a.tokensPerMinute() + b.tokensPerMinute())));
      }
    });
    return sum;
  }

  static String encode(Map<String, DeploymentLoad.Counts> own) {
    StringBuilder value = new StringBuilder();
    own.forEach((id, counts) -> value.append(id).append('\t').append(counts.inFlight()).append('\t')
        .append(counts.requestsPerMinute()).append('\t').append(counts.tokensPerMinute()).append('\n'));
    return value.toString();
  }

  static Map<String, DeploymentLoad.Counts> decode(String value, Set<String> known) {
    Map<String, DeploymentLoad.Counts> counts = new HashMap<>();
    for (String line : value.split("\n")) {
      String[] fields = line.split("\t");
      if (fields.length != 4 || !known.contains(fields[0])) {
        continue;
      }
      try {
        long inFlight = Long.parseLong(fields[1]);
        long requests = Long.parseLong(fields[2]);
        long tokens = Long.parseLong(fields[3]);
        if (inFlight >= 0 && requests >= 0 && tokens >= 0) {
          counts.put(fields[0], new DeploymentLoad.Counts(inFlight, requests, tokens));
        }
      } catch (NumberFormatException unreadable) {
        // a malformed line from a member is ignored, not trusted
      }
    }
    return counts;
  }
}
