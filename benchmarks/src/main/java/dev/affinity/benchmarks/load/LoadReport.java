package dev.affinity.benchmarks.load;

import dev.affinity.benchmarks.load.Target.Workload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Markdown tables and PNG plots (XChart) of a load run. */
final class LoadReport {

  private static final double[] PERCENTILES = {50, 90, 99, 99.9};

  private final LoadBench.Settings settings;
  private final Map<String, Object> machine;
  private final List<Measurement> measurements;
  private final List<Map<String, Object>> memory;
  private final List<String> loadAverages;

  LoadReport(LoadBench.Settings settings, Map<String, Object> machine, List<Measurement> measurements,
      List<Map<String, Object>> memory, List<String> loadAverages) {
    this.settings = settings;
    this.machine = machine;
    this.measurements = measurements;
    this.memory = memory;
    this.loadAverages = loadAverages;
  }

  void write(Path dir) throws IOException {
    StringBuilder md = new StringBuilder();
    md.append("# Load benchmark").append(settings.quick() ? " (quick mode)" : "").append("\n\n");
    md.append("Machine: ").append(machine).append("\n\n");
    md.append("Gateway JVM options: `").append(settings.gatewayOpts()).append("`\n\n");
    md.append("Load averages (1, 5, 15 min) during the run:\n\n");
    loadAverages.forEach(line -> md.append("    ").append(line).append('\n'));
    md.append('\n');
    for (int nodes : settings.nodeCounts()) {
      concurrencyOne(md, nodes);
      closedLoop(md, nodes);
      cpuByThreadRole(md, nodes);
      fixedRates(md, nodes);
      streaming(md, nodes);
      plots(dir, nodes, md);
    }
    memory(md);
    Files.writeString(dir.resolve("results.md"), md.toString());
  }

  private void concurrencyOne(StringBuilder md, int nodes) {
    md.append("## Concurrency 1, 50 KB Messages, not streamed (").append(nodes).append(" node(s))\n\n");
    md.append("| target | requests | p50 ms | p90 ms | p99 ms | p99.9 ms | added p50 ms | added p99 ms | round p50s |"
        + " gateway CPU ms/req |\n|---|---:|---:|---:|---:|---:|---:|---:|---|---:|\n");
    Optional<Measurement> direct = find("concurrency-1", nodes, Workload.MESSAGES, "direct", 0);
    for (Measurement m : cells("concurrency-1", nodes)) {
      md.append(String.format(Locale.ROOT, "| %s | %d | %.3f | %.3f | %.3f | %.3f | %s | %s | %s | %.2f |%n", m.target,
          m.ok, Measurement.ms(m.latency, 50), Measurement.ms(m.latency, 90), Measurement.ms(m.latency, 99),
          Measurement.ms(m.latency, 99.9), added(m, direct, 50), added(m, direct, 99), rounds(m.roundP50),
          m.cpuMillisPerRequest()));
    }
    md.append('\n');
  }

  private void fixedRates(StringBuilder md, int nodes) {
    md.append("## Fixed rates, 50 KB Messages, not streamed, open loop (").append(nodes).append(" node(s))\n\n");
    md.append("| offered rps | target | achieved rps | ok | errors | timed out | p50 ms | p90 ms | p99 ms | p99.9 ms |"
        + " max ms | added p50 ms | added p99 ms | gateway CPU ms/req |\n"
        + "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Measurement m : cells("fixed-rate", nodes)) {
      Optional<Measurement> direct = find("fixed-rate", nodes, Workload.MESSAGES, "direct", m.rate);
      md.append(String.format(Locale.ROOT, "| %.0f | %s | %.0f | %d | %d | %d | %.2f | %.2f | %.2f | %.2f | %.1f | %s |"
              + " %s | %.2f |%n", m.rate, m.target, m.throughput(), m.ok, m.errors, m.timedOut,
          Measurement.ms(m.latency, 50), Measurement.ms(m.latency, 90), Measurement.ms(m.latency, 99),
          Measurement.ms(m.latency, 99.9), m.latency.getMaxValue() / 1000.0, added(m, direct, 50),
          added(m, direct, 99), m.cpuMillisPerRequest()));
    }
    List<String> errors = new ArrayList<>();
    for (Measurement m : cells("fixed-rate", nodes)) {
      if (!m.errorKinds.isEmpty()) {
        errors.add(String.format(Locale.ROOT, "%s at %.0f rps: %s", m.target, m.rate, m.errorKinds));
      }
    }
    if (!errors.isEmpty()) {
      md.append("\nErrors:\n\n");
      errors.forEach(e -> md.append("* ").append(e.replace("|", "/")).append('\n'));
    }
    md.append('\n');
  }

  private void closedLoop(StringBuilder md, int nodes) {
    List<Measurement> cells = cells("closed-loop", nodes);
    if (cells.isEmpty()) {
      return;
    }
    md.append("## Closed loop: N requests in flight, 50 KB Messages, not streamed (").append(nodes)
        .append(" node(s))\n\n");
    md.append("| in flight | target | throughput rps | errors | p50 ms | p90 ms | p99 ms | p99.9 ms | gateway CPU ms/req |\n"
        + "|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Measurement m : cells) {
      md.append(String.format(Locale.ROOT, "| %.0f | %s | %.0f | %d | %.2f | %.2f | %.2f | %.2f | %.2f |%n", m.rate,
          m.target, m.throughput(), m.errors, Measurement.ms(m.latency, 50), Measurement.ms(m.latency, 90),
          Measurement.ms(m.latency, 99), Measurement.ms(m.latency, 99.9), m.cpuMillisPerRequest()));
    }
    md.append('\n');
  }

  /**
   * Where the gateway CPU of the c=1 and closed-loop cells went, by thread role, all of a target's processes summed:
   * what tells a cost per request (event loops) from a cost per JVM that the rounds happened to catch (the JIT
   * still compiling, Hazelcast's upkeep, GC).
   */
  private void cpuByThreadRole(StringBuilder md, int nodes) {
    List<Measurement> cells = new ArrayList<>(cells("concurrency-1", nodes));
    cells.addAll(cells("closed-loop", nodes));
    cells.removeIf(m -> m.gatewayCpuMillis == 0);
    if (cells.isEmpty()) {
      return;
    }
    md.append("## Gateway CPU by thread role, ms per request (").append(nodes).append(" node(s), all processes"
        + " summed)\n\n");
    List<String> roles = Arrays.stream(ServerProcess.ThreadRole.values()).map(r -> r.label).toList();
    md.append("| phase | target | ").append(String.join(" | ", roles)).append(" | all |\n|---|---|")
        .append("---:|".repeat(roles.size() + 1)).append('\n');
    for (Measurement m : cells) {
      Map<String, Double> byRole = m.cpuMillisPerRequestByRole();
      md.append(String.format(Locale.ROOT, "| %s | %s |", m.phase.equals("concurrency-1") ? "c=1"
          : String.format(Locale.ROOT, "%.0f in flight", m.rate), m.target));
      roles.forEach(role -> md.append(String.format(Locale.ROOT, " %.3f |", byRole.getOrDefault(role, 0.0))));
      md.append(String.format(Locale.ROOT, " %.3f |%n", m.cpuMillisPerRequest()));
    }
    md.append('\n');
  }

  private void streaming(StringBuilder md, int nodes) {
    md.append("## Streaming, 50 KB bodies, 10 ms per token: one at a time, then several in flight (").append(nodes)
        .append(" node(s))\n\n");
    md.append("| workload | in flight | target | streams | first event p50 ms | p99 ms | added p50 ms | added p99 ms |"
        + " gap p50 ms | gap p99 ms | gap mean ms | added gap mean ms |\n"
        + "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    List<Measurement> cells = cells("streaming", nodes).stream()
        .sorted(Comparator.comparing((Measurement m) -> m.workload).thenComparingDouble(m -> m.rate)).toList();
    for (Measurement m : cells) {
      Optional<Measurement> direct = find("streaming", nodes, m.workload, "direct", m.rate);
      md.append(String.format(Locale.ROOT, "| %s | %.0f | %s | %d | %.3f | %.3f | %s | %s | %.3f | %.3f | %.3f | %s |%n",
          m.workload, m.rate, m.target, m.ok, Measurement.ms(m.firstEvent, 50), Measurement.ms(m.firstEvent, 99),
          direct.map(d -> diff(Measurement.ms(m.firstEvent, 50) - Measurement.ms(d.firstEvent, 50))).orElse("—"),
          direct.map(d -> diff(Measurement.ms(m.firstEvent, 99) - Measurement.ms(d.firstEvent, 99))).orElse("—"),
          Measurement.ms(m.gaps, 50), Measurement.ms(m.gaps, 99), Measurement.meanMs(m.gaps),
          direct.map(d -> diff(Measurement.meanMs(m.gaps) - Measurement.meanMs(d.gaps))).orElse("—")));
    }
    md.append('\n');
  }

  private void memory(StringBuilder md) {
    md.append("## Memory with streams held open\n\n");
    md.append("| target | nodes | workload | open streams | RSS idle MB | RSS open MB | heap used MB | heap used after"
        + " GC MB | heap committed MB |\n|---|---:|---|---:|---:|---:|---:|---:|---:|\n");
    for (Map<String, Object> r : memory) {
      md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", r.get("target"),
          r.get("nodes"), r.get("workload"), r.get("open_streams"), mb(r.get("idle_rss_kb")), mb(r.get("rss_kb")),
          mb(r.get("heap_used_kb")), mb(r.get("heap_used_kb_after_gc")), mb(r.get("heap_total_kb"))));
    }
    md.append("\n(Several nodes: the sum, then each node in brackets.)\n");
  }

  private void plots(Path dir, int nodes, StringBuilder md) throws IOException {
    List<Measurement> rates = cells("fixed-rate", nodes);
    List<Double> offered = rates.stream().map(m -> m.rate).distinct().sorted().toList();
    List<String> targets = rates.stream().map(m -> m.target).distinct().toList();
    if (offered.isEmpty()) {
      return;
    }
    for (double rate : offered) {
      XYChart chart = new XYChartBuilder().width(800).height(500)
          .title(String.format(Locale.ROOT, "Latency percentiles at %.0f rps, 50 KB bodies (%d node%s)", rate, nodes,
              nodes == 1 ? "" : "s"))
          .xAxisTitle("percentile").yAxisTitle("latency (ms, log scale)").build();
      chart.getStyler().setYAxisLogarithmic(true).setLegendPosition(Styler.LegendPosition.InsideNW);
      chart.getStyler().setXAxisTickMarkSpacingHint(60);
      String[] labels = {"p50", "p90", "p99", "p99.9", "max"};
      chart.setCustomXAxisTickLabelsFormatter(x -> {
        int i = (int) Math.round(x);
        return Math.abs(x - i) < 0.01 && i >= 0 && i < labels.length ? labels[i] : "";
      });
      for (String target : targets) {
        Optional<Measurement> m = find("fixed-rate", nodes, Workload.MESSAGES, target, rate);
        if (m.isEmpty() || m.get().latency.getTotalCount() == 0) {
          continue;
        }
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        for (int i = 0; i < PERCENTILES.length; i++) {
          x.add((double) i);
          y.add(Math.max(0.01, Measurement.ms(m.get().latency, PERCENTILES[i])));
        }
        x.add((double) PERCENTILES.length);
        y.add(Math.max(0.01, m.get().latency.getMaxValue() / 1000.0));
        chart.addSeries(target, x, y).setMarker(SeriesMarkers.CIRCLE);
      }
      String file = String.format(Locale.ROOT, "latency-%dnode-%.0frps.png", nodes, rate);
      BitmapEncoder.saveBitmap(chart, dir.resolve(file).toString(), BitmapEncoder.BitmapFormat.PNG);
      md.append("![").append(file).append("](").append(file).append(")\n");
    }
    XYChart p99 = new XYChartBuilder().width(800).height(500)
        .title("p50 and p99 latency by offered rate, 50 KB bodies (" + nodes + " node" + (nodes == 1 ? ")" : "s)"))
        .xAxisTitle("offered rps").yAxisTitle("latency (ms, log scale)").build();
    p99.getStyler().setYAxisLogarithmic(true).setLegendPosition(Styler.LegendPosition.InsideNW);
    for (String target : targets) {
      for (double p : new double[] {50, 99}) {
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        for (double rate : offered) {
          find("fixed-rate", nodes, Workload.MESSAGES, target, rate).filter(m -> m.latency.getTotalCount() > 0)
              .ifPresent(m -> {
                x.add(rate);
                y.add(Math.max(0.01, Measurement.ms(m.latency, p)));
              });
        }
        if (!x.isEmpty()) {
          p99.addSeries(target + " p" + (int) p, x, y).setMarker(p == 50 ? SeriesMarkers.CIRCLE : SeriesMarkers.DIAMOND);
        }
      }
    }
    String file = "latency-by-rate-" + nodes + "node.png";
    BitmapEncoder.saveBitmap(p99, dir.resolve(file).toString(), BitmapEncoder.BitmapFormat.PNG);
    md.append("![").append(file).append("](").append(file).append(")\n\n");
  }

  private List<Measurement> cells(String phase, int nodes) {
    return measurements.stream().filter(m -> m.phase.equals(phase) && m.nodes == nodes).toList();
  }

  private Optional<Measurement> find(String phase, int nodes, Workload workload, String target, double rate) {
    return measurements.stream().filter(m -> m.phase.equals(phase) && m.nodes == nodes && m.workload == workload
        && m.target.equals(target) && m.rate == rate).findFirst();
  }

  private static String added(Measurement m, Optional<Measurement> direct, double p) {
    if (direct.isEmpty() || m.target.equals("direct")) {
      return "—";
    }
    return diff(Measurement.ms(m.latency, p) - Measurement.ms(direct.get().latency, p));
  }

  private static String diff(double ms) {
    return String.format(Locale.ROOT, "%+.3f", ms);
  }

  private static String rounds(List<Double> values) {
    return values.stream().map(v -> String.format(Locale.ROOT, "%.3f", v)).reduce((a, b) -> a + ", " + b).orElse("");
  }

  @SuppressWarnings("unchecked")
  private static String mb(Object kb) {
    if (!(kb instanceof List<?> list) || list.isEmpty()) {
      return "—";
    }
    List<Long> values = (List<Long>) list;
    if (values.get(0) < 0) {
      return "—";
    }
    long sum = values.stream().mapToLong(Long::longValue).sum();
    String total = String.format(Locale.ROOT, "%.0f", sum / 1024.0);
    if (values.size() == 1) {
      return total;
    }
    return total + " (" + values.stream().map(v -> String.format(Locale.ROOT, "%.0f", v / 1024.0))
        .reduce((a, b) -> a + ", " + b).orElse("") + ")";
  }
}
