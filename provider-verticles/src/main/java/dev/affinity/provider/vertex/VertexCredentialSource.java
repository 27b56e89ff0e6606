package dev.affinity.provider.vertex;

import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.ServiceAccountCredentials;
import dev.affinity.provider.vertex.VertexSettings;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Loads the Google credentials of a Vertex AI deployment: its service account key (a file, or the JSON inline), or the
 * application default credentials. Blocking (files, the metadata server): called off the event loop.
 */
@FunctionalInterface
public interface VertexCredentialSource {

  /** The scope Vertex AI needs. */
  List<String> SCOPES = List.of("https://www.googleapis.com/auth/cloud-platform");

  /**
   * The credentials of {@code settings}, scoped for Vertex AI. A failure's message is fit for an error answer: it
   * never quotes the key file.
   */
  GoogleCredentials load(VertexSettings settings) throws IOException;

  /** The service account key of the configuration, or Google's application default credentials. */
  static VertexCredentialSource standard() {
    return settings -> {
      if (settings.credentials() == null) {
        return GoogleCredentials.getApplicationDefault().createScoped(SCOPES);
      }
      if (settings.inlineCredentials()) {
        return serviceAccount(new ByteArrayInputStream(settings.credentials().value()
            .getBytes(StandardCharsets.UTF_8)), "the inline JSON");
      }
      Path file = Path.of(settings.credentials().value());
      try (InputStream in = Files.newInputStream(file)) {
        return serviceAccount(in, "the file");
      } catch (NoSuchFileException missing) {
        throw new IOException("no such file");
      } catch (AccessDeniedException denied) {
        throw new IOException("the file cannot be read (permission denied)");
      }
    };
  }

  private static GoogleCredentials serviceAccount(InputStream json, String what) throws IOException {
    try {
      return ServiceAccountCredentials.fromStream(json).createScoped(SCOPES);
    } catch (IOException | RuntimeException unreadable) {
      // the parser's own message may quote the JSON, private key included
      throw new IOException(what + " is not a service account key (" + unreadable.getClass().getSimpleName() + ")");
    }
  }
}
