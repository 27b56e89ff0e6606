package dev.affinity.provider.vertex;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import dev.affinity.model.config.Deployment;
import dev.affinity.provider.RefreshedCredentials;
import dev.affinity.provider.RefreshedCredentials.Fetched;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.time.Clock;
import java.time.Duration;
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
 * a fetch another loop started is answered on its own loop ({@link RefreshedCredentials}).
 */
final class VertexAccessTokens {

  /** Tokens are refreshed in the background once they have less than this left. */
  static final Duration REFRESH_AHEAD = RefreshedCredentials.REFRESH_AHEAD;
  /** Tokens with less than this left are not used: the request waits for a fresh one. */
  static final Duration MUST_REFRESH = RefreshedCredentials.MUST_REFRESH;
  /** How long a token that states no expiry is used before it is fetched again. */
  static final Duration UNSTATED_LIFETIME = Duration.ofMinutes(10);

  private static final Logger LOG = Logger.getLogger(VertexAccessTokens.class.getName());
  private static final int MAX_REASON = 300;

  private final VertexCredentialSource source;
  private final Clock clock;
  private final RefreshedCredentials<Token> tokens;

  VertexAccessTokens(Vertx vertx, VertexCredentialSource source, Clock clock) {
    this.source = source;
    this.clock = clock;
    this.tokens = new RefreshedCredentials<>(vertx, clock, this::fetch, (deployment, failure) -> LOG.log(Level.WARNING,
        "deployment " + deployment.id() + ": refreshing the access token of "
            + deployment.settings(VertexSettings.class).credentialsSource() + " failed, keeping the current one: "
            + failure.getMessage()));
  }

  /** The bearer token to call {@code deployment} with; a failure's message names no secret. */
  Future<String> token(Deployment deployment) {
    return tokens.get(deployment).map(Token::value);
  }

  /**
   * Forgets {@code token} if it is still the one in hand (Vertex AI refused it: revoked, or the key was rotated), so
   * that the next request fetches another.
   */
  void invalidate(Deployment deployment, String token) {
    if (token != null) {
      tokens.invalidate(deployment, current -> token.equals(current.value()));
    }
  }

  /**
   * Runs on a worker: loads the credentials once (they are kept with each token for the next fetch), then asks Google
   * (or the configured token URI) for a token.
   */
  private Fetched<Token> fetch(Deployment deployment, Token previous) throws TokenFailure {
    GoogleCredentials credentials = previous == null ? null : previous.credentials();
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
    // The library states the expiry on the system clock; keep the lifetime, anchored on ours as the token comes back.
    Duration lifetime = token.getExpirationTime() == null ? UNSTATED_LIFETIME
        : Duration.ofMillis(token.getExpirationTime().getTime() - System.currentTimeMillis());
    return Fetched.expiringAt(new Token(credentials, token.getTokenValue()), clock.instant().plus(lifetime));
  }

  private static String reason(Throwable failure) {
    String message = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
    message = message.replaceAll("\\s+", " ").trim();
    return message.length() > MAX_REASON ? message.substring(0, MAX_REASON) + "..." : message;
  }

  /** A deployment's token, and the loaded credentials that fetch the next one. */
  private record Token(GoogleCredentials credentials, String value) {
  }

  /** Why no token could be had, in words fit for an error answer. */
  static final class TokenFailure extends Exception {
    TokenFailure(String message) {
      super(message, null, false, false);
    }
  }
}
