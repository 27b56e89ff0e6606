package dev.affinity.benchmarks.load;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/** All rounds of one (phase, nodes, workload, target, rate) cell, merged. Latencies in microseconds. */
final class Measurement {

  final String phase;
  final int nodes;
  final Target.Workload workload;
  final String target;
  final double rate;
  final Histogram latency = new Histogram(600_000_000L, 3);
  final Histogram firstEvent = new Histogram(600_000_000L, 3);
  final Histogram gaps = new Histogram(600_000_000L, 3);
  final List<Double> roundP50 = new ArrayList<>();
  final List<Double> roundP99 = new ArrayList<>();
  final Map<String, Integer> errorKinds = new TreeMap<>();
  long ok;
  long errors;
  long timedOut;
  double seconds;
  long gatewayCpuMillis;
  final Map<ServerProcess.ThreadRole, Long> gatewayCpuMillisByRole = new EnumMap<>(ServerProcess.ThreadRole.class);

  Measurement(String phase, int nodes, Target.Workload workload, String target, double rate) {
    this.phase = phase;
    this.nodes = nodes;
    this.workload = workload;
    this.target = target;
    this.rate = rate;
  }

  /** @param cpu what the target's processes spent in the round */
  void add(LoadClient.Result result, CpuReading cpu) {
    latency.add(result.latency);
    firstEvent.add(result.firstEvent);
    gaps.add(result.gaps);
    ok += result.ok;
    errors += result.errors;
    timedOut += result.timedOut;
    seconds += result.seconds;
    gatewayCpuMillis += cpu.totalMillis();
    cpu.byRole().forEach((role, millis) -> gatewayCpuMillisByRole.merge(role, millis, Long::sum));
    result.errorKinds.forEach((kind, n) -> errorKinds.merge(kind, n, Integer::sum));
    if (result.latency.getTotalCount() > 0) {
      roundP50.add(ms(result.latency, 50));
      roundP99.add(ms(result.latency, 99));
    }
  }

  double throughput() {
    return seconds == 0 ? 0 : ok / seconds;
  }

  double cpuMillisPerRequest() {
    return ok == 0 ? 0 : (double) gatewayCpuMillis / ok;
  }

  /** Gateway CPU per request by thread role (the JIT, event loops, Hazelcast, GC, other), ms. */
  Map<String, Double> cpuMillisPerRequestByRole() {
    Map<String, Double> perRequest = new LinkedHashMap<>();
    gatewayCpuMillisByRole.forEach((role, millis) -> perRequest.put(role.label, ok == 0 ? 0 : (double) millis / ok));
    return perRequest;
  }

  static double ms(Histogram histogram, double percentile) {
    return histogram.getTotalCount() == 0 ? Double.NaN : histogram.getValueAtPercentile(percentile) / 1000.0;
  }

  static double meanMs(Histogram histogram) {
    return histogram.getTotalCount() == 0 ? Double.NaN : histogram.getMean() / 1000.0;
  }

  Map<String, Object> toMap() {
    Map<String, Object> map = new TreeMap<>();
    map.put("phase", phase);
    map.put("nodes", nodes);
    map.put("workload", workload.name());
    map.put("target", target);
    map.put("offered_rps", rate);
    map.put("ok", ok);
    map.put("errors", errors);
    map.put("timed_out", timedOut);
    map.put("error_kinds", errorKinds);
    map.put("seconds", seconds);
    map.put("throughput_rps", throughput());
    map.put("gateway_cpu_ms_per_request", cpuMillisPerRequest());
    map.put("gateway_cpu_ms_per_request_by_thread_role", cpuMillisPerRequestByRole());
    map.put("latency_ms", percentiles(latency));
    map.put("round_p50_ms", roundP50);
    map.put("round_p99_ms", roundP99);
    if (firstEvent.getTotalCount() > 0) {
      map.put("first_event_ms", percentiles(firstEvent));
      map.put("gap_ms", percentiles(gaps));
    }
    return map;
  }

  private static Map<String, Object> percentiles(Histogram h) {
    Map<String, Object> map = new TreeMap<>();
    map.put("count", h.getTotalCount());
    if (h.getTotalCount() > 0) {
      map.put("p50", ms(h, 50));
      map.put("p90", ms(h, 90));
      map.put("p99", ms(h, 99));
      map.put("p99_9", ms(h, 99.9));
      map.put("max", h.getMaxValue() / 1000.0);
      map.put("mean", meanMs(h));
    }
    return map;
  }
}
