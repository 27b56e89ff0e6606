package dev.affinity.benchmarks.hits;

import dev.affinity.emulator.workload.AgentWorkload;
import dev.affinity.emulator.workload.Session;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The agent sessions of the replay, tenant by tenant. Two shapes of multi-tenant traffic:
 * <ul>
 *   <li>{@link Kind#SHARED_AGENT}: every tenant runs the same agent product, so all requests start with the same
 *       tools and agent prompt (a cacheable prefix of its own); each tenant adds its own project instructions,
 *       shared by its sessions.</li>
 *   <li>{@link Kind#OWN_PROMPTS}: each tenant has its own tools and system prompt; nothing is shared across
 *       tenants.</li>
 * </ul>
 * Built from {@link AgentWorkload}: deterministic for a seed.
 */
public final class TenantWorkload {

  /** How much of the prompt tenants share. */
  public enum Kind {
    SHARED_AGENT("shared-agent"),
    OWN_PROMPTS("own-prompts");

    private final String label;

    Kind(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }

    public static Kind of(String label) {
      for (Kind kind : values()) {
        if (kind.label.equals(label)) {
          return kind;
        }
      }
      throw new IllegalArgumentException("unknown workload: " + label + " (shared-agent or own-prompts)");
    }
  }

  /** One session, with the tenant it belongs to. */
  public record TenantSession(String id, String tenant, Session session) {
  }

  private TenantWorkload() {
  }

  /** {@code tenants × sessionsPerTenant} sessions in tenant order ({@code t1-s1, t1-s2, ..., t2-s1, ...}). */
  public static List<TenantSession> sessions(Kind kind, long seed, int tenants, int sessionsPerTenant,
      String model) {
    List<TenantSession> sessions = new ArrayList<>(tenants * sessionsPerTenant);
    if (kind == Kind.SHARED_AGENT) {
      for (Session session : new AgentWorkload(seed, tenants, sessionsPerTenant, model).sessions()) {
        sessions.add(new TenantSession(session.id(), session.tenant(), session));
      }
      return sessions;
    }
    for (int t = 1; t <= tenants; t++) {
      // a workload of its own per tenant: its seed makes its tools and system prompt its own
      List<Session> own = new AgentWorkload(tenantSeed(seed, t), 1, sessionsPerTenant, model).sessions();
      for (int s = 0; s < own.size(); s++) {
        String tenant = "t" + t;
        sessions.add(new TenantSession(String.format(Locale.ROOT, "%s-s%d", tenant, s + 1), tenant, own.get(s)));
      }
    }
    return sessions;
  }

  private static long tenantSeed(long seed, int tenant) {
    return seed * 1_000_003L + tenant;
  }
}
