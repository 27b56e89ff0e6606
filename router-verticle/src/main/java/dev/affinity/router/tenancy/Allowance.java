package dev.affinity.router.tenancy;

/**
 * The limits LiteLLM puts on a key or a team, with LiteLLM's names and meaning. A null field is no limit.
 *
 * @param rpmLimit            requests a minute ({@code rpm_limit})
 * @param tpmLimit            tokens a minute, prompt and output ({@code tpm_limit})
 * @param maxParallelRequests requests at once ({@code max_parallel_requests})
 * @param maxBudget           USD that may be spent in a budget period ({@code max_budget})
 * @param budgetDuration      the budget period ({@code budget_duration}: {@code 30s}, {@code 30m}, {@code 24h},
 *                            {@code 30d}, {@code 1mo}); null: the budget never resets
 */
public record Allowance(Long rpmLimit, Long tpmLimit, Long maxParallelRequests, Double maxBudget,
                        String budgetDuration) {

  public static final Allowance NONE = new Allowance(null, null, null, null, null);

  public Allowance {
    positive("rpm_limit", rpmLimit);
    positive("tpm_limit", tpmLimit);
    positive("max_parallel_requests", maxParallelRequests);
    if (maxBudget != null && (maxBudget.isNaN() || maxBudget < 0)) {
      throw new IllegalArgumentException("max_budget must be a number of USD, 0 or more");
    }
    if (budgetDuration != null) {
      Periods.parse("budget_duration", budgetDuration);
    }
  }

  /** Whether any limit needs the cluster's counters. */
  public boolean counted() {
    return rpmLimit != null || tpmLimit != null || maxParallelRequests != null || maxBudget != null;
  }

  /** The budget period in milliseconds, or 0 for one that never resets. */
  public long budgetPeriodMillis() {
    return budgetDuration == null ? 0 : Periods.parse("budget_duration", budgetDuration).toMillis();
  }

  private static void positive(String name, Long value) {
    if (value != null && value < 0) {
      throw new IllegalArgumentException(name + " must be 0 or more");
    }
  }
}
