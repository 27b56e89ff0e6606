package dev.affinity.benchmarks;

import dev.affinity.model.RouteKind;
import dev.affinity.model.TokenUsage;
import dev.affinity.model.UsageReport;
import dev.affinity.model.config.ConfigException;
import dev.affinity.model.config.ConfigLoader;
import dev.affinity.router.node.LogLine;
import dev.affinity.router.observe.GatewayMetrics;
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

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What observing one request costs on the event loop that does it: booking a finished call into the metrics (every
 * counter, the histograms and the console's journal) and building its access-log line. Both run once per request,
 * off the routing decision but on an event loop.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
@State(Scope.Benchmark)
public class ObservabilityBenchmark {

  private GatewayMetrics metrics;
  private UsageReport report;

  @Setup
  public void setUp() throws ConfigException {
    StringBuilder yaml = new StringBuilder("model_list:\n");
    for (int i = 1; i <= 3; i++) {
      yaml.append("""
            - model_name: sonnet
              litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-%1$d, api_base: "http://127.0.0.1:1"}
              model_info: {id: d%1$d}
          """.formatted(i));
    }
    metrics = new GatewayMetrics(ConfigLoader.parse(yaml.toString(), Map.of()));
    report = new UsageReport("req_0123456789abcdef0123456789abcdef", "sonnet", "d2", RouteKind.PINNED, 200, true, 412,
        new TokenUsage(38, 912, 912, 0, 10_480, 24), null, new UsageReport.Timing(250_000, 180_000_000, 412_000_000));
  }

  @Benchmark
  public GatewayMetrics bookCall() {
    metrics.booked(report, 0.0071, 0.0342);
    return metrics;
  }

  @Benchmark
  public String accessLine() {
    return new LogLine().with("request", report.requestId()).with("client", "10.0.0.7").with("method", "POST")
        .with("path", "/v1/messages").with("status", 200).with("model", LogLine.clip("claude-sonnet-4-5", 100))
        .with("deployment", "d2").with("route", "pinned").with("duration_ms", 412L).text();
  }
}
