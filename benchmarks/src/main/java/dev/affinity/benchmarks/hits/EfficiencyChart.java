package dev.affinity.benchmarks.hits;

import dev.affinity.router.cache.Price;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.CategoryStyler;
import org.knowm.xchart.style.Styler;

/** Two bar charts side by side, one bar per policy and workload: hit efficiency, and cost, both against the ideal. */
final class EfficiencyChart {

  private static final Color[] SERIES_COLORS = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c)};

  private EfficiencyChart() {
  }

  static void write(List<PolicyResult> results, Path png) throws IOException {
    Path parent = png.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Price price = Price.listPrice(HitEfficiencyReplay.MODEL).orElseThrow();
    CategoryChart efficiency = chart("Hit efficiency: cache reads, % of the single-deployment ideal's",
        "% of ideal cache reads");
    CategoryChart cost = chart("Cost, % of the single-deployment ideal's", "% of ideal cost");
    List<TenantWorkload.Kind> workloads = results.stream().map(PolicyResult::workload).distinct().toList();
    for (TenantWorkload.Kind workload : workloads) {
      List<PolicyResult> rows = results.stream().filter(result -> result.workload() == workload).toList();
      PolicyResult ideal = rows.stream().filter(result -> result.policy() == Policy.IDEAL).findFirst().orElseThrow();
      List<String> policies = new ArrayList<>();
      List<Double> efficiencies = new ArrayList<>();
      List<Double> costs = new ArrayList<>();
      for (PolicyResult row : rows) {
        policies.add(row.policy().id());
        efficiencies.add(100 * row.efficiency(ideal));
        costs.add(100 * row.costUsd(price) / ideal.costUsd(price));
      }
      efficiency.addSeries(workload.label(), policies, efficiencies);
      cost.addSeries(workload.label(), policies, costs);
    }
    efficiency.getStyler().setYAxisMin(0.0).setYAxisMax(110.0);
    cost.getStyler().setYAxisMin(0.0);
    BitmapEncoder.saveBitmap(List.of(efficiency, cost), 1, 2, png.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  private static CategoryChart chart(String title, String yAxis) {
    CategoryChart chart = new CategoryChartBuilder().width(760).height(480).title(title).xAxisTitle("routing policy")
        .yAxisTitle(yAxis).build();
    CategoryStyler styler = chart.getStyler();
    styler.setLabelsVisible(true);
    styler.setLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
    styler.setLabelsRotation(90);
    styler.setLegendPosition(Styler.LegendPosition.OutsideS);
    styler.setLegendLayout(Styler.LegendLayout.Horizontal);
    styler.setSeriesColors(SERIES_COLORS);
    styler.setChartBackgroundColor(Color.WHITE);
    styler.setPlotGridVerticalLinesVisible(false);
    styler.setXAxisLabelRotation(20);
    styler.setDecimalPattern("0.0");
    styler.setYAxisDecimalPattern("0.#");
    return chart;
  }
}
