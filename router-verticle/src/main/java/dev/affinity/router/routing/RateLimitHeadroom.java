package dev.affinity.router.routing;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Whether a deployment can take one more request now without a 429, judged from what it said of its limits
 * ({@code anthropic-ratelimit-requests-*}, {@code anthropic-ratelimit-tokens-*}, OpenAI's {@code x-ratelimit-*}),
 * from a {@code retry-after} it sent with a 429, and from its configured {@code rpm}/{@code tpm}. Pure and
 * clock-injected (epoch milliseconds); this node's view.
 *
 * <p>Providers meter with token buckets that refill continuously (Anthropic documents this; OpenAI's reset times
 * behave the same way), so a reported {@code remaining} is projected forward at {@code limit} per minute, minus the
 * requests this node has sent since. Configured limits are per deployment, for the whole cluster: each node takes
 * its share ({@code limit / members}) over a sliding minute.
 */
public final class RateLimitHeadroom {

  private static final long MINUTE_MILLIS = 60_000;

  private final LongSupplier clock;
  private final Map<String, Account> accounts = new ConcurrentHashMap<>();

  public RateLimitHeadroom(LongSupplier clock) {
    this.clock = clock;
  }

  /** Reads the limits a response reported (lower-case header names). */
  public void observe(String deploymentId, Map<String, String> headers) {
    Bucket requests = Bucket.read(headers, "anthropic-ratelimit-requests-limit",
        "anthropic-ratelimit-requests-remaining", "x-ratelimit-limit-requests", "x-ratelimit-remaining-requests",
        clock.getAsLong());
    Bucket tokens = Bucket.read(headers, "anthropic-ratelimit-tokens-limit", "anthropic-ratelimit-tokens-remaining",
        "x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens", clock.getAsLong());
    if (requests == null && tokens == null) {
      return;
    }
    Account account = account(deploymentId);
    synchronized (account) {
      if (requests != null) {
        account.requests = requests;
      }
      if (tokens != null) {
        account.tokens = tokens;
      }
    }
  }

  /** A request is on its way to the deployment. */
  public void dispatched(String deploymentId) {
    Account account = account(deploymentId);
    long now = clock.getAsLong();
    synchronized (account) {
      if (account.requests != null) {
        account.requests = account.requests.take(1);
      }
      account.requestWindow.add(now, 1);
    }
  }

  /** Tokens a finished request used (input, cache writes and output; cache reads are free of most limits). */
  public void used(String deploymentId, long tokens) {
    Account account = account(deploymentId);
    synchronized (account) {
      if (account.tokens != null) {
        account.tokens = account.tokens.take(tokens);
      }
      account.tokenWindow.add(clock.getAsLong(), tokens);
    }
  }

  /** The deployment answered 429 and asked to be left alone for {@code millis}. */
  public void exhaustedFor(String deploymentId, long millis) {
    Account account = account(deploymentId);
    synchronized (account) {
      account.exhaustedUntil = Math.max(account.exhaustedUntil, clock.getAsLong() + millis);
    }
  }

  /**
   * Whether one more request fits.
   *
   * @param rpm     configured requests per minute, or null
   * @param tpm     configured tokens per minute, or null
   * @param members cluster members sharing the configured limits
   */
  public boolean has(String deploymentId, Integer rpm, Integer tpm, int members) {
    Account account = accounts.get(deploymentId);
    if (account == null) {
      return true;
    }
    long now = clock.getAsLong();
    int share = Math.max(1, members);
    synchronized (account) {
      if (now < account.exhaustedUntil) {
        return false;
      }
      if (account.requests != null && account.requests.remaining(now) < 1) {
        return false;
      }
      if (account.tokens != null && account.tokens.remaining(now) <= 0) {
        return false;
      }
      if (rpm != null && account.requestWindow.sum(now) >= Math.max(1.0, (double) rpm / share)) {
        return false;
      }
      return tpm == null || account.tokenWindow.sum(now) < Math.max(1.0, (double) tpm / share);
    }
  }

  private Account account(String deploymentId) {
    return accounts.computeIfAbsent(deploymentId, id -> new Account());
  }

  private static final class Account {
    private Bucket requests;
    private Bucket tokens;
    private long exhaustedUntil;
    private final MinuteWindow requestWindow = new MinuteWindow();
    private final MinuteWindow tokenWindow = new MinuteWindow();
  }

  /**
   * A reported bucket: {@code remaining} at {@code observedAt}, refilling at {@code limit} per minute (when the
   * limit is known), less what was taken since.
   */
  private record Bucket(long limit, long remaining, long observedAt, long taken) {

    static Bucket read(Map<String, String> headers, String anthropicLimit, String anthropicRemaining,
                       String openAiLimit, String openAiRemaining, long now) {
      Long remaining = number(headers.get(anthropicRemaining));
      Long limit = number(headers.get(anthropicLimit));
      if (remaining == null) {
        remaining = number(headers.get(openAiRemaining));
        limit = number(headers.get(openAiLimit));
      }
      return remaining == null ? null : new Bucket(limit == null ? 0 : limit, remaining, now, 0);
    }

    Bucket take(long amount) {
      return new Bucket(limit, remaining, observedAt, taken + amount);
    }

    double remaining(long now) {
      double refilled = limit <= 0 ? remaining
          : Math.min(limit, remaining + (double) (now - observedAt) * limit / MINUTE_MILLIS);
      return refilled - taken;
    }

    private static Long number(String value) {
      if (value == null) {
        return null;
      }
      try {
        return Long.parseLong(value.trim());
      } catch (NumberFormatException notANumber) {
        return null;
      }
    }
  }
}
