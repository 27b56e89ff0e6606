package dev.affinity.router.vertex;

import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Base64;

/** Service-account key files as the Cloud console writes them, their token_uri pointing at the emulator. */
final class ServiceAccountKey {

  private ServiceAccountKey() {
  }

  static Path write(String project, String email, KeyPair pair, String emulatorBaseUrl) throws Exception {
    String pem = "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(pair.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
    Path file = Files.createTempFile("affinity-sa-", ".json");
    file.toFile().deleteOnExit();
    Files.writeString(file, new JsonObject().put("type", "service_account").put("project_id", project)
        .put("private_key_id", "k-" + project).put("private_key", pem).put("client_email", email)
        .put("client_id", "1234567890").put("token_uri", emulatorBaseUrl + "/token").encodePrettily());
    return file;
  }
}
