package dev.affinity.provider.vertex;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import dev.affinity.model.config.Deployment;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The OAuth access token each Vertex AI deployment calls with, fetched off the event loop (Google's library blocks on
 * files and on the token endpoint) and kept until it nears its expiry. Requests never wait while the token in hand is
 * still good: within {@link #REFRESH_AHEAD} of expiry a refresh starts in the background, and only a token about to
 * expire (within {@link #MUST_REFRESH}) makes requests wait. Concurrent requests share one fetch.
 *
 * <p>One per node, shared by the Vertex verticles of all its event loops ({@link VertexProvider#verticles()}): a token
 * is fetched once per node, not once per loop. Each entry's state is kept under the entry's lock; a request waiting for
 * a fetch another loop started is answered on its own loop.
 */
final class VertexAccessTokens {

  /** Tokens are refreshed in the background once they have less than this left. */
  static final Duration REFRESH_AHEAD = Duration.ofMinutes(5);
  /** Tokens with less than this left are not used: the request waits for a fresh one. */
  static final Duration MUST_REFRESH = Duration.ofMinutes(1);
  /** How long a token that states no expiry is used before it is fetched again. */
  static final Duration UNSTATED_LIFETIME = Duration.ofMinutes(10);

  private static final Logger LOG = Logger.getLogger(VertexAccessTokens.class.getName());
  private static final int MAX_REASON = 300;

  private final Vertx vertx;
  private final VertexCredentialSource source;
  private final Clock clock;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

  VertexAccessTokens(Vertx vertx, VertexCredentialSource source, Clock clock) {
    this.vertx = vertx;
    this.source = source;
    this.clock = clock;
  }

  /** The bearer token to call {@code deployment} with; a failure's message names no secret. */
  Future<String> token(Deployment deployment) {
    Entry entry = entries.computeIfAbsent(deployment.id(), id -> new Entry());
    Instant now = clock.instant();
    String current;
    Instant expiresAt;
    synchronized (entry) {
      current = entry.token;
      expiresAt = entry.expiresAt;
    }
    if (current != null) {
      if (now.isBefore(expiresAt.minus(REFRESH_AHEAD))) {
        return Future.succeededFuture(current);
      }
      if (now.isBefore(expiresAt.minus(MUST_REFRESH))) {
        refresh(deployment, entry).onFailure(failure -> LOG.log(Level.WARNING, "deployment " + deployment.id()
            + ": refreshing the access token of " + deployment.settings(VertexSettings.class).credentialsSource()
            + " failed, keeping the current one: " + failure.getMessage()));
        return Future.succeededFuture(current);
      }
    }
    return refresh(deployment, entry);
  }

  /**
   * Forgets {@code token} if it is still the one in hand (Vertex AI refused it: revoked, or the key was rotated), so
   * that the next request fetches another.
   */
  void invalidate(Deployment deployment, String token) {
    Entry entry = entries.get(deployment.id());
    if (entry == null || token == null) {
      return;
    }
    synchronized (entry) {
      if (token.equals(entry.token)) {
        entry.token = null;
      }
    }
  }

  /** The entry's fetch in flight, or a new one; answered on the caller's context, whichever loop started it. */
  private Future<String> refresh(Deployment deployment, Entry entry) {
    Context caller = vertx.getOrCreateContext();
    Future<String> fetch;
    synchronized (entry) {
      fetch = entry.inFlight;
      if (fetch == null) {
        Promise<String> fetched = Promise.promise();
        Future<String> started = fetched.future();
        entry.inFlight = started;
        fetch = started;
        GoogleCredentials loaded = entry.credentials;
        vertx.<Fetched>executeBlocking(() -> fetch(deployment, loaded), false).onComplete(result -> {
          synchronized (entry) {
            if (entry.inFlight == started) {
              entry.inFlight = null;
            }
            if (result.succeeded()) {
              entry.credentials = result.result().credentials();
              entry.token = result.result().token();
              entry.expiresAt = clock.instant().plus(result.result().lifetime());
            }
          }
          fetched.handle(result.map(Fetched::token));
        });
      }
    }
    return Future.fromCompletionStage(fetch.toCompletionStage(), caller);
  }

  /** Runs on a worker: loads the credentials once, then asks Google (or the configured token URI) for a token. */
  private Fetched fetch(Deployment deployment, GoogleCredentials loaded) throws TokenFailure {
    GoogleCredentials credentials = loaded;
    if (credentials == null) {
      try {
        credentials = source.load(deployment.settings(VertexSettings.class));
      } catch (Exception failure) {
        throw new TokenFailure(deployment.settings(VertexSettings.class).credentialsSource() + " could not be loaded: " + reason(failure));
      }
    }
    AccessToken token;
    try {
      credentials.refresh();
      token = credentials.getAccessToken();
    } catch (Exception failure) {
      throw new TokenFailure("no access token from " + deployment.settings(VertexSettings.class).credentialsSource() + ": "
          + reason(failure));
    }
    if (token == null || token.getTokenValue() == null) {
      throw new TokenFailure("no access token from " + deployment.settings(VertexSettings.class).credentialsSource());
    }
    // The library states the expiry on the system clock; keep the lifetime, anchored on ours when it comes back.
    Duration lifetime = token.getExpirationTime() == null ? UNSTATED_LIFETIME
        : Duration.ofMillis(token.getExpirationTime().getTime() - System.currentTimeMillis());
    return new Fetched(credentials, token.getTokenValue(), lifetime);
  }

  private static String reason(Throwable failure) {
    String message = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
    message = message.replaceAll("\\s+", " ").trim();
    return message.length() > MAX_REASON ? message.substring(0, MAX_REASON) + "..." : message;
  }

  private record Fetched(GoogleCredentials credentials, String token, Duration lifetime) {
  }

  /** Why no token could be had, in words fit for an error answer. */
  static final class TokenFailure extends Exception {
    TokenFailure(String message) {
      super(message, null, false, false);
    }
  }

  /** One deployment's token; every field under the entry's lock. */
  private static final class Entry {
    private GoogleCredentials credentials;
    private String token;
    private Instant expiresAt;
    private Future<String> inFlight;
  }
}
