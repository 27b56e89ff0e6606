package dev.affinity.provider.bedrock;

import dev.affinity.model.GatewayError;
import dev.affinity.model.config.Deployment;

/**
 * A deployment whose credentials cannot be loaded (a profile missing on this machine, an empty default chain): the
 * call is not made, and the client gets a 502 that says which credentials, never what they contain.
 */
final class CredentialsFailure {

  private static final int MAX_REASON = 300;

  private CredentialsFailure() {
  }

  static GatewayError error(Deployment deployment, Throwable failure) {
    return GatewayError.upstreamUnreachable("credentials for " + deployment.settings(AwsSettings.class).credentialsSource()
        + " could not be loaded: " + reason(failure) + " (deployment " + deployment.id() + ")");
  }

  /**
   * The SDK's explanation, which names providers, profiles and variables but no values. What follows a
   * {@code ProfileFile(} is a dump of the files' structure, cut off to keep messages short and safe.
   */
  static String reason(Throwable failure) {
    String message = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
    int dump = message.indexOf("ProfileFile(");
    if (dump >= 0) {
      message = message.substring(0, dump).replaceAll("[:\\s]+$", "");
    }
    return message.length() > MAX_REASON ? message.substring(0, MAX_REASON) + "..." : message;
  }
}
