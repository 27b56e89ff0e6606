package dev.affinity.provider.vertex;

import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Base64;

/** A service account key file as the Cloud console writes it, its token_uri pointing at the emulator. */
final class ServiceAccountKeyFile {

  private ServiceAccountKeyFile() {
  }

  static Path write(Path dir, String email, KeyPair pair, String emulatorBaseUrl) throws Exception {
    String pem = "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(pair.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
    JsonObject key = new JsonObject().put("type", "service_account").put("project_id", "proj-one")
        .put("private_key_id", "k1").put("private_key", pem).put("client_email", email)
        .put("client_id", "1234567890").put("token_uri", emulatorBaseUrl + "/token");
    Path file = Files.createTempFile(dir, "sa-", ".json");
    Files.writeString(file, key.encodePrettily());
    return file;
  }
}
