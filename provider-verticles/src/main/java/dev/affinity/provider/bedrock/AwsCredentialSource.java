package dev.affinity.provider.bedrock;

import dev.affinity.provider.bedrock.AwsSettings;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.profiles.ProfileFileLocation;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Where a Bedrock deployment's credentials come from, as AWS's SDK resolves them: a named profile from the shared
 * credentials and config files, explicit keys, or the default chain (environment, profile {@code default}, web
 * identity, container and instance roles). Profile files are read again at every resolution, so keys rotated in
 * them are picked up at the next refresh without a restart.
 *
 * <p>Resolving may block (files, a {@code credential_process}, instance metadata): callers run
 * {@link AwsCredentialsProvider#resolveCredentials()} off the event loop.
 */
public final class AwsCredentialSource {

  private final Path credentialsFile;
  private final Path configFile;

  private AwsCredentialSource(Path credentialsFile, Path configFile) {
    this.credentialsFile = Objects.requireNonNull(credentialsFile, "credentialsFile");
    this.configFile = Objects.requireNonNull(configFile, "configFile");
  }

  /**
   * The files the AWS CLI and SDKs use: {@code AWS_SHARED_CREDENTIALS_FILE} and {@code AWS_CONFIG_FILE} (or the
   * system properties {@code aws.sharedCredentialsFile}, {@code aws.configFile}), else {@code ~/.aws/credentials} and
   * {@code ~/.aws/config}.
   */
  public static AwsCredentialSource fromEnvironment() {
    return new AwsCredentialSource(ProfileFileLocation.credentialsFilePath(),
        ProfileFileLocation.configurationFilePath());
  }

  /** Profiles from these two files; either may be missing. */
  public static AwsCredentialSource of(Path credentialsFile, Path configFile) {
    return new AwsCredentialSource(credentialsFile, configFile);
  }

  /** The provider for a deployment's settings. Creating it reads nothing; resolving it does. */
  public AwsCredentialsProvider provider(AwsSettings aws) {
    if (aws.explicitKeys()) {
      return StaticCredentialsProvider.create(aws.sessionToken() == null
          ? AwsBasicCredentials.create(aws.accessKeyId().value(), aws.secretAccessKey().value())
          : AwsSessionCredentials.create(aws.accessKeyId().value(), aws.secretAccessKey().value(),
              aws.sessionToken().value()));
    }
    if (aws.profileName() != null) {
      return ProfileCredentialsProvider.builder().profileFile(profiles()).profileName(aws.profileName()).build();
    }
    return DefaultCredentialsProvider.builder().profileFile(profiles()).build();
  }

  /** Both files, read afresh on each call (on a worker thread, as part of a resolution). */
  Supplier<ProfileFile> profiles() {
    return () -> {
      ProfileFile.Aggregator files = ProfileFile.aggregator();
      // the file added first wins where both define a property: the credentials file, as in the SDKs
      if (Files.isRegularFile(credentialsFile)) {
        files.addFile(ProfileFile.builder().content(credentialsFile).type(ProfileFile.Type.CREDENTIALS).build());
      }
      if (Files.isRegularFile(configFile)) {
        files.addFile(ProfileFile.builder().content(configFile).type(ProfileFile.Type.CONFIGURATION).build());
      }
      return files.build();
    };
  }

  /** The two files, for messages about a profile that cannot be found. */
  String describeFiles() {
    return credentialsFile + " and " + configFile;
  }
}
