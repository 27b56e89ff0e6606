package dev.affinity.benchmarks.hits;

import dev.affinity.emulator.workload.Usage;
import dev.affinity.router.cache.CostModel;
import dev.affinity.router.cache.Price;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What one policy did with one workload.
 *
 * @param judged                what the emulator's accounts counted (the judge), summed over the policy's deployments
 * @param requestsPerDeployment requests each deployment served, by the emulator's count
 * @param sent                  every request as the replay saw it, in the order sent
 * @param elapsedMillis         wall-clock time of the replay
 */
public record PolicyResult(TenantWorkload.Kind workload, Policy policy, Usage judged,
    Map<String, Long> requestsPerDeployment, List<Sent> sent, long elapsedMillis) {

  /**
   * One request and its answer.
   *
   * @param clockMillis the emulator's clock when it was sent, from the start of the run
   * @param deployment where it went ({@code x-affinity-deployment} through a gateway)
   * @param route      {@code x-affinity-route} through a gateway, else {@code -}
   * @param status     HTTP status, 0 when no answer came
   */
  public record Sent(String session, String tenant, int turn, long clockMillis, String deployment, String route, int status,
      Usage usage) {

    public boolean ok() {
      return status >= 200 && status < 300;
    }
  }

  public PolicyResult {
    requestsPerDeployment = Collections.unmodifiableMap(new TreeMap<>(requestsPerDeployment));
    sent = List.copyOf(sent);
  }

  public long errors() {
    return sent.stream().filter(request -> !request.ok()).count();
  }

  /** The usage summed from the answers; equal to {@link #judged()} unless the replay misread an answer. */
  public Usage answered() {
    Usage total = Usage.ZERO;
    for (Sent request : sent) {
      total = total.plus(request.usage());
    }
    return total;
  }

  public double cacheReadShare() {
    long prompt = judged.promptTokens();
    return prompt == 0 ? 0 : (double) judged.cacheReadInputTokens() / prompt;
  }

  /** Cache reads as a share of what {@code ideal} read: the policy's hit efficiency. */
  public double efficiency(PolicyResult ideal) {
    long best = ideal.judged().cacheReadInputTokens();
    return best == 0 ? 0 : (double) judged.cacheReadInputTokens() / best;
  }

  /** The bill: every cache write at the 5-minute price, as the workload marks only 5-minute breakpoints. */
  public double costUsd(Price price) {
    return CostModel.cost(price, new CostModel.Usage(judged.inputTokens(), judged.cacheCreationInputTokens(), 0,
        judged.cacheReadInputTokens(), judged.outputTokens())).cost();
  }

  /** The share of requests the busiest deployment served: 1/3 is an even spread over three. */
  public double busiestShare() {
    long total = requestsPerDeployment.values().stream().mapToLong(Long::longValue).sum();
    long busiest = requestsPerDeployment.values().stream().mapToLong(Long::longValue).max().orElse(0);
    return total == 0 ? 0 : (double) busiest / total;
  }

  /** Sessions whose answered requests all went to one deployment. */
  public long sessionsOnOneDeployment() {
    return deploymentsBySession().values().stream().filter(deployments -> deployments.size() == 1).count();
  }

  public int sessions() {
    return deploymentsBySession().size();
  }

  private Map<String, Set<String>> deploymentsBySession() {
    Map<String, Set<String>> bySession = new LinkedHashMap<>();
    for (Sent request : sent) {
      if (request.ok()) {
        bySession.computeIfAbsent(request.session(), session -> new HashSet<>()).add(request.deployment());
      }
    }
    return bySession;
  }

  /** The answered requests, by session and turn. */
  public Map<String, Sent> bySessionTurn() {
    Map<String, Sent> index = new HashMap<>();
    for (Sent request : sent) {
      if (request.ok()) {
        index.put(request.session() + '#' + request.turn(), request);
      }
    }
    return index;
  }
}
