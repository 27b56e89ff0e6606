package dev.affinity.benchmarks.load;

import dev.affinity.benchmarks.load.ServerProcess.ThreadRole;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time of a target's processes (all of a cluster's nodes summed), in all and by thread role, read from
 * {@code /proc} at one moment; the difference of two readings is what a round cost. The roles' sum can fall short of
 * the total by threads that ended in between, which the total still counts: the difference is booked as other.
 */
record CpuReading(long totalMillis, Map<ThreadRole, Long> byRole) {

  static final CpuReading NONE = new CpuReading(0, Map.of());

  static CpuReading of(List<ServerProcess> servers) {
    if (servers == null) {
      return NONE;
    }
    long total = 0;
    Map<ThreadRole, Long> byRole = new EnumMap<>(ThreadRole.class);
    for (ServerProcess server : servers) {
      total += server.cpuMillis();
      server.cpuMillisByThreadRole().forEach((role, millis) -> byRole.merge(role, millis, Long::sum));
    }
    return new CpuReading(total, byRole);
  }

  /** The total spread over {@code requests}, ms each; 0 when there were none. */
  double millisPer(long requests) {
    return requests == 0 ? 0 : (double) totalMillis / requests;
  }

  /** What was spent since {@code before}, with the roles adding up to the total. */
  CpuReading since(CpuReading before) {
    long total = Math.max(0, totalMillis - before.totalMillis);
    Map<ThreadRole, Long> spent = new EnumMap<>(ThreadRole.class);
    long named = 0;
    for (ThreadRole role : ThreadRole.values()) {
      if (role != ThreadRole.OTHER) {
        long millis = Math.max(0, byRole.getOrDefault(role, 0L) - before.byRole.getOrDefault(role, 0L));
        spent.put(role, millis);
        named += millis;
      }
    }
    spent.put(ThreadRole.OTHER, Math.max(0, total - named));
    return new CpuReading(total, spent);
  }
}
