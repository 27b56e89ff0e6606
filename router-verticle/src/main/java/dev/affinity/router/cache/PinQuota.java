package dev.affinity.router.cache;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The per-tenant pin quota ({@code router_settings.max_pins_per_tenant}): the pin map is shared by every tenant and
 * evicts its least recently used pins when full, so a tenant that pins without bound would push the others' pins
 * out. The rule: a tenant holding {@code max} live pins or more writes no new claim; its request still goes where
 * the decision sends it (the strategy's choice when nothing was pinned, route {@code unpinned}), and it keeps
 * following, refreshing and moving the pins it holds. It can only lose its own pin coverage, never evict another
 * tenant's (while the quotas of the tenants at work add up to less than the map's capacity). Below the quota, a
 * request's claims are written whole: a tenant overshoots by at most the claims of its requests in flight when it
 * reaches the quota (see docs/tenancy.md). Pure.
 *
 * @param max live pins per tenant; 0 for no quota
 */
public record PinQuota(long max) {

  public static final PinQuota UNLIMITED = new PinQuota(0);

  /**
   * Hex digits of a tenant's tag: 48 bits, so that among a million tenants the odds that some two share one count
   * are about 1 in 560 (and two that do share only a quota, never pins).
   */
  private static final int TAG_HEX_DIGITS = 12;

  public PinQuota {
    if (max < 0) {
      throw new IllegalArgumentException("max must be >= 0 (0: no quota)");
    }
  }

  public boolean limits() {
    return max > 0;
  }

  /** Whether a tenant holding {@code livePins} may claim new prefixes. */
  public boolean admitsClaims(long livePins) {
    return max == 0 || livePins < max;
  }

  /**
   * What a request of a tenant holding {@code livePins} may write of {@code decision}: all of it below the quota,
   * else the decision without its claims ({@link AffinityDecision#withoutClaims}).
   */
  public AffinityDecision apply(AffinityDecision decision, long livePins) {
    return admitsClaims(livePins) || decision.claims().isEmpty() ? decision : decision.withoutClaims();
  }

  /**
   * The tag that stands for {@code tenant} in the pins it creates, for counting: a fixed few bytes per pin whatever
   * the length of the tenant's name (a team id may be long), and no name in the shared map.
   */
  public static String tag(String tenant) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(tenant.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, TAG_HEX_DIGITS / 2);
    } catch (NoSuchAlgorithmException impossible) {
      throw new IllegalStateException("every Java runtime has SHA-256", impossible);
    }
  }
}
