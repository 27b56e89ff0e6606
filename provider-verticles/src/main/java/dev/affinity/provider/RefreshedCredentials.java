package dev.affinity.provider;

import dev.affinity.model.config.Deployment;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * Each deployment's credentials of one kind (an OAuth token, AWS keys), fetched off the event loop (the libraries
 * block on files and token endpoints) and kept until they near their expiry. Requests never wait while the
 * credentials in hand are still good: within {@link #REFRESH_AHEAD} of expiry a fetch starts in the background and the
 * current ones answer, and only credentials about to expire (within {@link #MUST_REFRESH}) make requests wait.
 * Credentials that state no expiry are fetched again in the background once their reload interval has passed, and used
 * until then: they never become unusable. Concurrent requests share one fetch.
 *
 * <p>Meant to be one per node, shared by the verticles of all its event loops: credentials are fetched once per node,
 * not once per loop. Each entry's state is kept under the entry's lock; a request waiting for a fetch another loop
 * started is answered on its own loop.
 *
 * @param <V> what is fetched and kept for a deployment
 */
public final class RefreshedCredentials<V> {

  /** Credentials are refreshed in the background once they have less than this left. */
  public static final Duration REFRESH_AHEAD = Duration.ofMinutes(5);
  /** Credentials with less than this left are not used: the request waits for fresh ones. */
  public static final Duration MUST_REFRESH = Duration.ofMinutes(1);

  private final Vertx vertx;
  private final Clock clock;
  private final Fetch<V> fetch;
  private final BiConsumer<Deployment, Throwable> refreshFailed;
  private final Map<String, Entry<V>> entries = new ConcurrentHashMap<>();

  /**
   * @param clock         what expiries and reload intervals are counted on
   * @param fetch         runs on a worker
   * @param refreshFailed told of a background refresh that failed while the current credentials were kept; the
   *                      requests that waited for a fetch get its failure instead
   */
  public RefreshedCredentials(Vertx vertx, Clock clock, Fetch<V> fetch, BiConsumer<Deployment, Throwable> refreshFailed) {
    this.vertx = vertx;
    this.clock = clock;
    this.fetch = fetch;
    this.refreshFailed = refreshFailed;
  }

  /** The credentials to call {@code deployment} with, answered on the caller's context. */
  public Future<V> get(Deployment deployment) {
    Entry<V> entry = entries.computeIfAbsent(deployment.id(), id -> new Entry<>());
    Instant now = clock.instant();
    V current;
    Instant stale;
    Instant unusable;
    synchronized (entry) {
      current = entry.dropped ? null : entry.value;
      stale = entry.stale;
      unusable = entry.unusable;
    }
    if (current != null) {
      if (now.isBefore(stale)) {
        return Future.succeededFuture(current);
      }
      if (now.isBefore(unusable)) {
        fetch(deployment, entry).onFailure(failure -> refreshFailed.accept(deployment, failure));
        return Future.succeededFuture(current);
      }
    }
    return fetch(deployment, entry);
  }

  /**
   * Stops using the deployment's credentials if they are still the ones in hand and {@code refused} says so (the
   * upstream refused them), so that the next request waits for a fetch. The next fetch is still given them as the
   * previous value.
   */
  public void invalidate(Deployment deployment, Predicate<V> refused) {
    Entry<V> entry = entries.get(deployment.id());
    if (entry == null) {
      return;
    }
    synchronized (entry) {
      if (!entry.dropped && entry.value != null && refused.test(entry.value)) {
        entry.dropped = true;
      }
    }
  }

  /** The entry's fetch in flight, or a new one; answered on the caller's context, whichever loop started it. */
  private Future<V> fetch(Deployment deployment, Entry<V> entry) {
    Context caller = vertx.getOrCreateContext();
    Future<V> fetching;
    synchronized (entry) {
      fetching = entry.inFlight;
      if (fetching == null) {
        Promise<V> fetched = Promise.promise();
        Future<V> started = fetched.future();
        entry.inFlight = started;
        fetching = started;
        V previous = entry.value;
        vertx.<Fetched<V>>executeBlocking(() -> fetch.fetch(deployment, previous), false).onComplete(result -> {
          synchronized (entry) {
            if (entry.inFlight == started) {
              entry.inFlight = null;
            }
            if (result.succeeded()) {
              entry.keep(result.result(), clock.instant());
            }
          }
          fetched.handle(result.map(Fetched::value));
        });
      }
    }
    return Future.fromCompletionStage(fetching.toCompletionStage(), caller);
  }

  /** Fetches a deployment's credentials; runs on a worker, so it may block. */
  @FunctionalInterface
  public interface Fetch<V> {

    /**
     * @param previous what the last successful fetch for {@code deployment} gave, even if since invalidated; {@code
     *                 null} the first time
     */
    Fetched<V> fetch(Deployment deployment, V previous) throws Exception;
  }

  /** Credentials as fetched, and until when to use them. */
  public static final class Fetched<V> {
    private final V value;
    private final Instant expiresAt;
    private final Duration reloadAfter;

    private Fetched(V value, Instant expiresAt, Duration reloadAfter) {
      this.value = value;
      this.expiresAt = expiresAt;
      this.reloadAfter = reloadAfter;
    }

    /** Credentials that expire at {@code expiresAt}, on the clock given to {@link RefreshedCredentials}. */
    public static <V> Fetched<V> expiringAt(V value, Instant expiresAt) {
      return new Fetched<>(value, Objects.requireNonNull(expiresAt, "expiresAt"), null);
    }

    /** Credentials that state no expiry: fetched again {@code interval} after this fetch, never unusable. */
    public static <V> Fetched<V> reloadedAfter(V value, Duration interval) {
      return new Fetched<>(value, null, Objects.requireNonNull(interval, "interval"));
    }

    V value() {
      return value;
    }
  }

  /** One deployment's credentials; every field under the entry's lock. */
  private static final class Entry<V> {
    private V value;
    /** Set when the upstream refused {@link #value}: kept for the next fetch, not used. */
    private boolean dropped;
    private Instant stale;
    private Instant unusable;
    private Future<V> inFlight;

    private void keep(Fetched<V> fetched, Instant now) {
      value = fetched.value;
      dropped = false;
      if (fetched.expiresAt != null) {
        stale = fetched.expiresAt.minus(REFRESH_AHEAD);
        unusable = fetched.expiresAt.minus(MUST_REFRESH);
      } else {
        stale = now.plus(fetched.reloadAfter);
        unusable = Instant.MAX;
      }
    }
  }
}
