package dev.affinity.provider.bedrock;

import dev.affinity.provider.bedrock.AwsSettings;
import dev.affinity.model.config.Deployment;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The credentials each Bedrock deployment signs with, resolved off the event loop and kept until they near their
 * expiry. Requests never wait for a refresh while the credentials in hand are still good: within
 * {@link #REFRESH_AHEAD} of expiry a refresh starts in the background, and only credentials about to expire (within
 * {@link #MUST_REFRESH}) make requests wait. Concurrent requests share one resolution.
 *
 * <p>One per node, shared by the Bedrock verticles of all its event loops ({@link BedrockProvider#verticles()}):
 * credentials are resolved once per node (one STS call, say), not once per loop. Each entry's state is kept under the
 * entry's lock; a request waiting for a resolution another loop started is answered on its own loop.
 */
final class DeploymentCredentials {

  /** Session credentials are refreshed in the background once they have less than this left. */
  static final Duration REFRESH_AHEAD = Duration.ofMinutes(5);
  /** Credentials with less than this left are not used: the request waits for fresh ones. */
  static final Duration MUST_REFRESH = Duration.ofMinutes(1);
  /** Credentials without expiry (profile keys) are read again this often, to follow rotation in the files. */
  static final Duration RELOAD_EVERY = Duration.ofMinutes(10);

  private static final Logger LOG = Logger.getLogger(DeploymentCredentials.class.getName());

  private final Vertx vertx;
  private final Function<AwsSettings, AwsCredentialsProvider> providers;
  private final Clock clock;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

  DeploymentCredentials(Vertx vertx, Function<AwsSettings, AwsCredentialsProvider> providers, Clock clock) {
    this.vertx = vertx;
    this.providers = providers;
    this.clock = clock;
  }

  /** The credentials to sign a request to {@code deployment} with. */
  Future<AwsCredentialsIdentity> credentials(Deployment deployment) {
    Entry entry = entries.computeIfAbsent(deployment.id(), id -> new Entry(providers.apply(deployment.settings(AwsSettings.class))));
    Instant now = clock.instant();
    AwsCredentialsIdentity current;
    Instant resolvedAt;
    synchronized (entry) {
      current = entry.current;
      resolvedAt = entry.resolvedAt;
    }
    if (current != null) {
      Instant stale = current.expirationTime().map(expiry -> expiry.minus(REFRESH_AHEAD))
          .orElse(resolvedAt.plus(RELOAD_EVERY));
      Instant unusable = current.expirationTime().map(expiry -> expiry.minus(MUST_REFRESH)).orElse(Instant.MAX);
      if (now.isBefore(stale)) {
        return Future.succeededFuture(current);
      }
      if (now.isBefore(unusable)) {
        refresh(deployment, entry).onFailure(failure -> LOG.log(Level.WARNING, "deployment " + deployment.id()
            + ": refreshing the credentials of " + deployment.settings(AwsSettings.class).credentialsSource() + " failed, keeping the"
            + " current ones: " + CredentialsFailure.reason(failure)));
        return Future.succeededFuture(current);
      }
    }
    return refresh(deployment, entry);
  }

  /** The entry's resolution in flight, or a new one; answered on the caller's context, whichever loop started it. */
  private Future<AwsCredentialsIdentity> refresh(Deployment deployment, Entry entry) {
    Context caller = vertx.getOrCreateContext();
    Future<AwsCredentialsIdentity> resolution;
    synchronized (entry) {
      resolution = entry.inFlight;
      if (resolution == null) {
        Promise<AwsCredentialsIdentity> resolved = Promise.promise();
        Future<AwsCredentialsIdentity> started = resolved.future();
        entry.inFlight = started;
        resolution = started;
        vertx.<AwsCredentialsIdentity>executeBlocking(entry.provider::resolveCredentials, false).onComplete(result -> {
          synchronized (entry) {
            if (entry.inFlight == started) {
              entry.inFlight = null;
            }
            if (result.succeeded()) {
              entry.current = result.result();
              entry.resolvedAt = clock.instant();
            }
          }
          resolved.handle(result);
        });
      }
    }
    return Future.fromCompletionStage(resolution.toCompletionStage(), caller);
  }

  /** One deployment's credentials; the mutable fields under the entry's lock. */
  private static final class Entry {
    private final AwsCredentialsProvider provider;
    private AwsCredentialsIdentity current;
    private Instant resolvedAt;
    private Future<AwsCredentialsIdentity> inFlight;

    private Entry(AwsCredentialsProvider provider) {
      this.provider = provider;
    }
  }
}
