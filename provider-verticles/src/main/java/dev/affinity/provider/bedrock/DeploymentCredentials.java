package dev.affinity.provider.bedrock;

import dev.affinity.model.config.Deployment;
import dev.affinity.provider.RefreshedCredentials;
import dev.affinity.provider.RefreshedCredentials.Fetched;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

import java.time.Clock;
import java.time.Duration;
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
 * entry's lock; a request waiting for a resolution another loop started is answered on its own loop
 * ({@link RefreshedCredentials}).
 */
final class DeploymentCredentials {

  /** Session credentials are refreshed in the background once they have less than this left. */
  static final Duration REFRESH_AHEAD = RefreshedCredentials.REFRESH_AHEAD;
  /** Credentials with less than this left are not used: the request waits for fresh ones. */
  static final Duration MUST_REFRESH = RefreshedCredentials.MUST_REFRESH;
  /** Credentials without expiry (profile keys) are read again this often, to follow rotation in the files. */
  static final Duration RELOAD_EVERY = Duration.ofMinutes(10);

  private static final Logger LOG = Logger.getLogger(DeploymentCredentials.class.getName());

  private final Function<AwsSettings, AwsCredentialsProvider> providers;
  /** One provider per deployment, made on its first request and kept: it may cache (an SSO or STS session). */
  private final Map<String, AwsCredentialsProvider> deploymentProviders = new ConcurrentHashMap<>();
  private final RefreshedCredentials<AwsCredentialsIdentity> resolved;

  DeploymentCredentials(Vertx vertx, Function<AwsSettings, AwsCredentialsProvider> providers, Clock clock) {
    this.providers = providers;
    this.resolved = new RefreshedCredentials<>(vertx, clock, this::resolve, (deployment, failure) -> LOG.log(
        Level.WARNING, "deployment " + deployment.id() + ": refreshing the credentials of "
            + deployment.settings(AwsSettings.class).credentialsSource() + " failed, keeping the current ones: "
            + CredentialsFailure.reason(failure)));
  }

  /** The credentials to sign a request to {@code deployment} with. */
  Future<AwsCredentialsIdentity> credentials(Deployment deployment) {
    deploymentProviders.computeIfAbsent(deployment.id(), id -> providers.apply(deployment.settings(AwsSettings.class)));
    return resolved.get(deployment);
  }

  /** Runs on a worker: the deployment's provider resolves (reads the files, calls STS). */
  private Fetched<AwsCredentialsIdentity> resolve(Deployment deployment, AwsCredentialsIdentity previous) {
    AwsCredentialsIdentity identity = deploymentProviders.get(deployment.id()).resolveCredentials();
    return identity.expirationTime().map(expiry -> Fetched.expiringAt(identity, expiry))
        .orElseGet(() -> Fetched.reloadedAfter(identity, RELOAD_EVERY));
  }
}
