package dev.affinity.provider.vertex;

import dev.affinity.model.config.Secret;
import dev.affinity.model.provider.ProviderSettings;
import java.util.List;
import java.util.Objects;

/**
 * Where a Vertex AI deployment of Claude or Gemini runs and who it calls as. The credentials are only named here: a
 * service account file is read, and access tokens obtained, when the deployment is first called, so a file present
 * only on the machines that serve is not a configuration error.
 *
 * @param project     {@code vertex_project}: the Google Cloud project id
 * @param location    {@code vertex_location}: a region such as {@code us-east5}, or {@code global}
 * @param credentials {@code vertex_credentials}: a path to a service-account JSON file, or that JSON itself; a
 *                    {@link Secret} because the JSON holds a private key. {@code null} for Google's application
 *                    default credentials ({@code GOOGLE_APPLICATION_CREDENTIALS}, gcloud, the metadata server)
 */
public record VertexSettings(String project, String location, Secret credentials) implements ProviderSettings {

  /** The location whose endpoint is not regional. */
  public static final String GLOBAL = "global";

  public VertexSettings {
    Objects.requireNonNull(project, "project");
    Objects.requireNonNull(location, "location");
  }

  @Override
  public String providerName() {
    return VertexProvider.NAME;
  }

  @Override
  public String litellmPrefix() {
    return VertexProvider.PREFIX;
  }

  /** The project and the location; the credentials (a path, or a private key) are not part of an id. */
  @Override
  public List<String> idFields() {
    return List.of(project, location);
  }

  @Override
  public String defaultCacheScope(String deploymentId) {
    return defaultCacheScope();
  }

  /** Whether {@link #credentials} is the service-account JSON itself rather than a path to it. */
  public boolean inlineCredentials() {
    return credentials != null && credentials.value().stripLeading().startsWith("{");
  }

  /**
   * Where the credentials come from, fit for logs and error messages: {@code the service account file /etc/sa.json},
   * {@code the inline service account JSON sha256:1f2e3d4c} or {@code the application default credentials}. Never
   * the JSON.
   */
  public String credentialsSource() {
    if (credentials == null) {
      return "the application default credentials";
    }
    return inlineCredentials() ? "the inline service account JSON " + credentials.fingerprint()
        : "the service account file " + credentials.value();
  }

  /**
   * The cache scope of a deployment that sets none: Claude's prompt cache on Vertex AI belongs to the project, so
   * deployments of one project share it.
   */
  public String defaultCacheScope() {
    return "vertex:" + project;
  }

  /**
   * Whether {@code model}, an upstream model id, is one of Google's Gemini models
   * ({@code publishers/google/models/gemini-...:generateContent}) rather than Claude
   * ({@code publishers/anthropic/models/claude-...:rawPredict}). Gemini speaks its own API and caches implicitly,
   * without markers.
   */
  public static boolean servesGemini(String model) {
    return model.startsWith("gemini");
  }

  /** The Vertex AI endpoint of {@link #location}, without {@code /v1}. */
  public String defaultEndpoint() {
    return GLOBAL.equals(location) ? "https://aiplatform.googleapis.com"
        : "https://" + location + "-aiplatform.googleapis.com";
  }
}
