package dev.affinity.emulator.workload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Totals of one replay run: what the run cost and how well it used the provider's prompt cache.
 *
 * @param deploymentsPerSession for each session that got at least one answer, how many distinct deployments
 *     answered it; 1 is ideal, more means its cached prefix was written more than once
 */
public record ReplaySummary(String label, int requests, int errors, Usage usage,
    Map<String, Integer> deploymentsPerSession) {

  public ReplaySummary {
    deploymentsPerSession = Collections.unmodifiableMap(new LinkedHashMap<>(deploymentsPerSession));
  }

  public static ReplaySummary of(String label, List<Exchange> exchanges) {
    Usage usage = Usage.ZERO;
    int errors = 0;
    Map<String, Set<String>> deployments = new LinkedHashMap<>();
    for (Exchange exchange : exchanges) {
      if (exchange.ok()) {
        usage = usage.plus(exchange.usage());
        deployments.computeIfAbsent(exchange.session(), session -> new HashSet<>()).add(exchange.deployment());
      } else {
        errors++;
      }
    }
    Map<String, Integer> counts = new LinkedHashMap<>();
    deployments.forEach((session, touched) -> counts.put(session, touched.size()));
    return new ReplaySummary(label, exchanges.size(), errors, usage, counts);
  }

  public long promptTokens() {
    return usage.promptTokens();
  }

  /** Cache reads as a share of all prompt tokens, 0 when there were none. */
  public double cacheReadShare() {
    long prompt = promptTokens();
    return prompt == 0 ? 0 : (double) usage.cacheReadInputTokens() / prompt;
  }

  public double costUsd() {
    return Pricing.SONNET_4_5.costUsd(usage);
  }

  public int maxDeploymentsPerSession() {
    return deploymentsPerSession.values().stream().mapToInt(Integer::intValue).max().orElse(0);
  }

  public long sessionsOnOneDeployment() {
    return deploymentsPerSession.values().stream().filter(count -> count == 1).count();
  }

  public double meanDeploymentsPerSession() {
    return deploymentsPerSession.values().stream().mapToInt(Integer::intValue).average().orElse(0);
  }

  /** Raw counts and, for readers of the file, the derived figures (recomputed, not trusted, on reading). */
  public ObjectNode toJson() {
    ObjectNode json = AgentWorkload.NODES.objectNode();
    json.put("label", label);
    json.put("requests", requests);
    json.put("errors", errors);
    json.put("input_tokens", usage.inputTokens());
    json.put("cache_creation_input_tokens", usage.cacheCreationInputTokens());
    json.put("cache_read_input_tokens", usage.cacheReadInputTokens());
    json.put("output_tokens", usage.outputTokens());
    json.put("prompt_tokens", promptTokens());
    json.put("cache_read_share", cacheReadShare());
    json.put("cost_usd", costUsd());
    json.put("max_deployments_per_session", maxDeploymentsPerSession());
    json.put("mean_deployments_per_session", meanDeploymentsPerSession());
    ObjectNode perSession = json.putObject("deployments_per_session");
    deploymentsPerSession.forEach(perSession::put);
    return json;
  }

  public static ReplaySummary fromJson(JsonNode json) {
    if (json == null || !json.isObject() || !json.has("requests")) {
      throw new IllegalArgumentException("not a replay summary");
    }
    Map<String, Integer> perSession = new LinkedHashMap<>();
    json.path("deployments_per_session").fields()
        .forEachRemaining(entry -> perSession.put(entry.getKey(), entry.getValue().asInt()));
    return new ReplaySummary(json.path("label").asText(""), json.path("requests").asInt(),
        json.path("errors").asInt(), Usage.fromJson(json), perSession);
  }

  /** The end-of-run block the CLI prints. */
  public String render() {
    StringBuilder text = new StringBuilder("summary").append(label.isEmpty() ? "" : " (" + label + ")").append('\n');
    row(text, "requests", Long.toString(requests));
    row(text, "errors", Long.toString(errors));
    row(text, "prompt tokens", grouped(promptTokens()));
    row(text, "cache read share", percent(cacheReadShare()));
    row(text, "cache read tokens", grouped(usage.cacheReadInputTokens()));
    row(text, "cache write tokens", grouped(usage.cacheCreationInputTokens()));
    row(text, "uncached input tokens", grouped(usage.inputTokens()));
    row(text, "output tokens", grouped(usage.outputTokens()));
    row(text, "cost (Sonnet 4.5 prices)", usd(costUsd()));
    row(text, "deployments per session", deploymentSpread());
    return text.toString();
  }

  /** E.g. "1 for 12 of 12 sessions (max 1)". */
  String deploymentSpread() {
    return String.format(Locale.ROOT, "1 for %d of %d sessions (max %d)", sessionsOnOneDeployment(),
        deploymentsPerSession.size(), maxDeploymentsPerSession());
  }

  static String grouped(long value) {
    return String.format(Locale.ROOT, "%,d", value);
  }

  static String percent(double share) {
    return String.format(Locale.ROOT, "%.1f%%", share * 100);
  }

  static String usd(double amount) {
    return String.format(Locale.ROOT, "$%.4f", amount);
  }

  private static void row(StringBuilder text, String name, String value) {
    text.append(String.format(Locale.ROOT, "  %-26s %s\n", name, value));
  }
}
