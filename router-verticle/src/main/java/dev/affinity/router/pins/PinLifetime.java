package dev.affinity.router.pins;

import dev.affinity.router.cache.CacheTtl;

/**
 * How long a pin lives, and when a hit must extend it.
 *
 * <p>A provider keeps a prompt-cache entry for its TTL {@code T} after its last use. A pin is written for {@code T}
 * plus a slack {@code S} (here {@code S = T}), and a hit at {@code now} asks for a refresh only when less than
 * {@code T + S/2} is left. So after every hit, either the pin still has more than {@code T + S/2} to live, or a
 * refresh to {@code now + T + S} is on its way: the pin outlives the provider entry that hit kept alive
 * ({@code now + T}) by at least {@code S/2} (2.5 minutes for 5-minute entries), far more than it takes a coalesced
 * refresh to land. A busy prefix is then written at most once every {@code S/2} cluster-wide (every node sees the
 * new expiry in the pin's value), instead of once per hit.
 *
 * <p>What the slack costs: a pin may name a deployment for up to {@code S} after its entry expired there. The next
 * request then writes the prefix on that deployment, which any placement would have to do, since no deployment has it.
 */
public final class PinLifetime {

  private PinLifetime() {
  }

  /** The slack a pin carries over its provider entry's TTL. */
  public static long slackMillis(CacheTtl ttl) {
    return ttl.duration().toMillis();
  }

  /** How long a pin for a provider entry of {@code ttl} is written for: the TTL and its slack. */
  public static long seconds(CacheTtl ttl) {
    return (ttl.duration().toMillis() + slackMillis(ttl)) / 1000;
  }

  /**
   * Whether a hit at {@code now} on a pin expiring at {@code expiresAt} (0: unknown) must refresh it: when less than
   * the TTL and half the slack is left.
   */
  public static boolean refreshDue(long expiresAt, long now, CacheTtl ttl) {
    return expiresAt == 0 || expiresAt - now < ttl.duration().toMillis() + slackMillis(ttl) / 2;
  }
}
