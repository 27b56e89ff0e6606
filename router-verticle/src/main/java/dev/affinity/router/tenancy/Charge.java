package dev.affinity.router.tenancy;

/**
 * One counter a request is held to: what to add, up to what limit, and how to name the limit when it refuses.
 *
 * @param counter    the counter's key in the cluster's limits map
 * @param limit      the most the counter may hold
 * @param amount     what this request adds now (0: only checked, added after the answer)
 * @param ttlSeconds how long the counter lives after its last change (0: as long as it is not 0)
 * @param refusal    what a refused request is told: the limit's name, its value and whose it is
 * @param budget     whether it is a budget (answered as a billing error) rather than a rate
 */
public record Charge(String counter, long limit, long amount, long ttlSeconds, String refusal, boolean budget) {
}
