package dev.affinity.emulator;

import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What selects an account on the Vertex AI routes: its Google Cloud project, and the service account that may call
 * Claude there. A client proves it is that service account the way Google's libraries do, with a JWT signed by the
 * account's private key exchanged at {@code POST /token} for an access token; the emulator holds only the public key.
 *
 * @param project     the project id in the request path ({@code /v1/projects/{project}/...})
 * @param clientEmail the service account's {@code client_email}, the {@code iss} of its JWTs
 * @param publicKey   verifies the RS256 signature of those JWTs
 */
public record VertexCredentials(String project, String clientEmail, RSAPublicKey publicKey) {

  private static final Pattern PEM_ARMOUR = Pattern.compile("-----(BEGIN|END) PUBLIC KEY-----|\\s");

  public VertexCredentials {
    Objects.requireNonNull(project, "project");
    Objects.requireNonNull(clientEmail, "clientEmail");
    Objects.requireNonNull(publicKey, "publicKey");
    if (project.isBlank() || project.contains("/")) {
      throw new IllegalArgumentException("project must be a project id, e.g. my-project-123");
    }
    if (clientEmail.isBlank()) {
      throw new IllegalArgumentException("client email must not be blank");
    }
  }

  /** Credentials whose public key is given as PEM ({@code -----BEGIN PUBLIC KEY-----}, X.509 SubjectPublicKeyInfo). */
  public static VertexCredentials of(String project, String clientEmail, String publicKeyPem) {
    return new VertexCredentials(project, clientEmail, parsePem(publicKeyPem));
  }

  static RSAPublicKey parsePem(String pem) {
    Objects.requireNonNull(pem, "publicKeyPem");
    try {
      byte[] der = Base64.getDecoder().decode(PEM_ARMOUR.matcher(pem).replaceAll(""));
      return (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
    } catch (IllegalArgumentException | InvalidKeySpecException | ClassCastException e) {
      throw new IllegalArgumentException("not a PEM-encoded RSA public key (-----BEGIN PUBLIC KEY-----)");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("RSA is a mandatory JDK algorithm", e);
    }
  }

  /** A public key is no secret, but its modulus says nothing useful in a log either. */
  @Override
  public String toString() {
    return "VertexCredentials[project=" + project + ", clientEmail=" + clientEmail + "]";
  }
}
