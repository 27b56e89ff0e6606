package dev.affinity.emulator.workload;

import java.util.Locale;

/**
 * One request of the replay and what came back.
 *
 * @param status HTTP status, 0 when no response arrived
 * @param deployment the {@code x-affinity-deployment} header, {@code "-"} when absent (e.g. straight to the emulator)
 * @param route the {@code x-affinity-route} header, {@code "-"} when absent
 * @param errorType null on success
 */
public record Exchange(int turn, String session, String tenant, int status, String deployment, String route,
    Usage usage, String errorType) {

  public static final String ABSENT = "-";

  private static final String COLUMNS = "%4s  %-8s  %-6s  %-24s  %-10s  %9s  %9s  %9s";

  /** Column titles matching {@link #line()}. */
  public static final String HEADER =
      String.format(Locale.ROOT, COLUMNS, "turn", "session", "tenant", "deployment", "route", "read", "write", "uncached");

  public boolean ok() {
    return errorType == null && status >= 200 && status < 300;
  }

  /** One aligned line: cache read, cache write and uncached input tokens, or the status and error type. */
  public String line() {
    if (ok()) {
      return String.format(Locale.ROOT, COLUMNS, turn, session, tenant, deployment, route,
          usage.cacheReadInputTokens(), usage.cacheCreationInputTokens(), usage.inputTokens());
    }
    String failure = (status == 0 ? "no response" : "HTTP " + status) + " " + errorType;
    return String.format(Locale.ROOT, "%4s  %-8s  %-6s  %-24s  %-10s  %s", turn, session, tenant, deployment, route,
        failure);
  }
}
