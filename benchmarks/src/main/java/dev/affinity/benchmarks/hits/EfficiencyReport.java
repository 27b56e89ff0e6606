package dev.affinity.benchmarks.hits;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.affinity.router.cache.Price;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The replay's results as a markdown table, a JSON file, and the list of requests that read less than the ideal. */
final class EfficiencyReport {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int LISTED_MISSES = 25;

  private final HitEfficiencyReplay.Options options;
  private final List<PolicyResult> results;
  private final Price price = Price.listPrice(HitEfficiencyReplay.MODEL).orElseThrow();

  EfficiencyReport(HitEfficiencyReplay.Options options, List<PolicyResult> results) {
    this.options = options;
    this.results = List.copyOf(results);
  }

  void write(Path directory) throws IOException {
    Files.createDirectories(directory);
    Files.writeString(directory.resolve("hit-efficiency.md"), markdown(), StandardCharsets.UTF_8);
    Files.writeString(directory.resolve("misses.md"), misses(), StandardCharsets.UTF_8);
    Files.writeString(directory.resolve("requests.tsv"), requests(), StandardCharsets.UTF_8);
    Files.write(directory.resolve("hit-efficiency.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(json()));
  }

  String markdown() {
    StringBuilder text = new StringBuilder();
    text.append(String.format(Locale.ROOT, "Workload: %d tenants × %d sessions × %d turns, seed %d; %d deployments; %s; "
            + "cost at %s list prices (input $%.2f, 5-minute cache write $%.2f, cache read $%.2f, output $%.2f per "
            + "MTok).%n", options.tenants(), options.sessionsPerTenant(), options.turns(), options.seed(),
        Policy.AFFINITY.deployments(), options.inFlight() == 1 ? "one request at a time"
            : options.inFlight() + " requests in flight, no cache expiry", HitEfficiencyReplay.MODEL, price.inputPerToken() * 1e6,
        price.cacheWrite5mPerToken() * 1e6, price.cacheReadPerToken() * 1e6, price.outputPerToken() * 1e6));
    for (TenantWorkload.Kind workload : workloads()) {
      List<PolicyResult> rows = of(workload);
      PolicyResult ideal = ideal(workload);
      text.append(String.format(Locale.ROOT, "%n**%s** (%d requests, %,d prompt tokens%s)%n%n", workload.label(),
          ideal.sent().size(), ideal.judged().promptTokens(), samePrompts(rows, ideal)));
      text.append("| policy | hit efficiency (reads ÷ ideal's) | cache-read share | cache-read tokens | cache-write tokens"
          + " | uncached input tokens | cost | cost vs ideal | busiest deployment's requests | sessions on one deployment"
          + " |\n");
      text.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
      for (PolicyResult row : rows) {
        double cost = row.costUsd(price);
        double idealCost = ideal.costUsd(price);
        text.append(String.format(Locale.ROOT, "| %s | %s | %.1f%% | %,d | %,d | %,d | $%.2f | %+.1f%% | %.0f%% | %d/%d"
                + " |%n", row.policy().label(),
            row.policy() == Policy.AFFINITY ? "**" + percent(row.efficiency(ideal)) + "**" : percent(row.efficiency(ideal)),
            100 * row.cacheReadShare(), row.judged().cacheReadInputTokens(), row.judged().cacheCreationInputTokens(),
            row.judged().inputTokens(), cost, 100 * (cost / idealCost - 1), 100 * row.busiestShare(),
            row.sessionsOnOneDeployment(), row.sessions()));
      }
      long errors = rows.stream().mapToLong(PolicyResult::errors).sum();
      if (errors > 0) {
        text.append(String.format(Locale.ROOT, "%n%d requests failed; see the replay's output.%n", errors));
      }
    }
    return text.toString();
  }

  private static String percent(double share) {
    return String.format(Locale.ROOT, "%.2f%%", 100 * share);
  }

  /** Whether every policy sent the same prompts, as it should: the answers, hence the next turns, are the same. */
  private static String samePrompts(List<PolicyResult> rows, PolicyResult ideal) {
    for (PolicyResult row : rows) {
      if (row.judged().promptTokens() != ideal.judged().promptTokens()) {
        return "; **prompt tokens differ between policies**";
      }
    }
    return ", the same for every policy";
  }

  /** Requests that read fewer tokens from cache than the same request did on the single deployment. */
  String misses() {
    StringBuilder text = new StringBuilder("# Requests that read less from the cache than on the single deployment\n");
    for (TenantWorkload.Kind workload : workloads()) {
      PolicyResult ideal = ideal(workload);
      Map<String, PolicyResult.Sent> best = ideal.bySessionTurn();
      for (PolicyResult row : of(workload)) {
        if (row.policy() == Policy.IDEAL) {
          continue;
        }
        List<String> lines = new ArrayList<>();
        long lost = 0;
        long firstOnDeployment = 0;
        Set<String> seen = new HashSet<>();
        for (PolicyResult.Sent request : row.sent()) {
          boolean first = seen.add(request.session() + '@' + request.deployment());
          PolicyResult.Sent reference = best.get(request.session() + '#' + request.turn());
          if (!request.ok() || reference == null) {
            continue;
          }
          long shortfall = reference.usage().cacheReadInputTokens() - request.usage().cacheReadInputTokens();
          if (shortfall > 0) {
            lost += shortfall;
            if (first) {
              firstOnDeployment++;
            }
            lines.add(String.format(Locale.ROOT, "| %s | %d | %s | %s | %,d | %,d | %,d | %s |", request.session(),
                request.turn(), request.deployment(), request.route(), request.usage().cacheReadInputTokens(),
                reference.usage().cacheReadInputTokens(), request.usage().cacheCreationInputTokens(),
                first ? "yes" : "no"));
          }
        }
        text.append(String.format(Locale.ROOT, "%n## %s, %s: %d requests, %,d cache-read tokens short; %d of them the"
            + " session's first request on that deployment%n", workload.label(), row.policy().label(), lines.size(), lost,
            firstOnDeployment));
        if (!lines.isEmpty()) {
          text.append("\n| session | turn | deployment | route | read | ideal read | written | session's first there |\n");
          text.append("|---|---:|---|---|---:|---:|---:|---|\n");
          lines.stream().limit(LISTED_MISSES).forEach(line -> text.append(line).append('\n'));
          if (lines.size() > LISTED_MISSES) {
            text.append(String.format(Locale.ROOT, "%n(%d more)%n", lines.size() - LISTED_MISSES));
          }
        }
      }
    }
    return text.toString();
  }

  /** Every request of every run, in the order sent, for digging into a result. */
  String requests() {
    StringBuilder text = new StringBuilder("workload\tpolicy\tsession\ttenant\tturn\tclock_ms\tdeployment\troute"
        + "\tstatus\tcache_read\tcache_write\tuncached\n");
    for (PolicyResult result : results) {
      for (PolicyResult.Sent request : result.sent()) {
        text.append(String.join("\t", result.workload().label(), result.policy().id(), request.session(),
            request.tenant(), Integer.toString(request.turn()), Long.toString(request.clockMillis()),
            request.deployment(), request.route(), Integer.toString(request.status()),
            Long.toString(request.usage().cacheReadInputTokens()),
            Long.toString(request.usage().cacheCreationInputTokens()), Long.toString(request.usage().inputTokens())))
            .append('\n');
      }
    }
    return text.toString();
  }

  ObjectNode json() {
    ObjectNode root = JSON.createObjectNode();
    root.put("model", HitEfficiencyReplay.MODEL);
    root.put("seed", options.seed());
    root.put("tenants", options.tenants());
    root.put("sessions_per_tenant", options.sessionsPerTenant());
    root.put("turns", options.turns());
    ArrayNode rows = root.putArray("results");
    for (PolicyResult result : results) {
      PolicyResult ideal = ideal(result.workload());
      ObjectNode row = rows.addObject();
      row.put("workload", result.workload().label());
      row.put("policy", result.policy().id());
      row.put("requests", result.sent().size());
      row.put("errors", result.errors());
      row.put("input_tokens", result.judged().inputTokens());
      row.put("cache_creation_input_tokens", result.judged().cacheCreationInputTokens());
      row.put("cache_read_input_tokens", result.judged().cacheReadInputTokens());
      row.put("output_tokens", result.judged().outputTokens());
      row.put("cache_read_share", result.cacheReadShare());
      row.put("efficiency", result.efficiency(ideal));
      row.put("cost_usd", result.costUsd(price));
      row.put("busiest_deployment_share", result.busiestShare());
      row.put("sessions_on_one_deployment", result.sessionsOnOneDeployment());
      row.put("elapsed_ms", result.elapsedMillis());
      row.put("answers_match_counters", result.answered().equals(result.judged()));
      ObjectNode perDeployment = row.putObject("requests_per_deployment");
      result.requestsPerDeployment().forEach(perDeployment::put);
    }
    return root;
  }

  private List<TenantWorkload.Kind> workloads() {
    return results.stream().map(PolicyResult::workload).distinct().toList();
  }

  private List<PolicyResult> of(TenantWorkload.Kind workload) {
    return results.stream().filter(result -> result.workload() == workload).toList();
  }

  private PolicyResult ideal(TenantWorkload.Kind workload) {
    return of(workload).stream().filter(result -> result.policy() == Policy.IDEAL).findFirst().orElseThrow();
  }
}
