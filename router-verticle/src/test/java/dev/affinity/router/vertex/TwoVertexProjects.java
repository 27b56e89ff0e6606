package dev.affinity.router.vertex;

import dev.affinity.emulator.EmulatorOptions;
import dev.affinity.emulator.LatencyModel;
import dev.affinity.emulator.UpstreamEmulator;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;

import static dev.affinity.router.TestGateway.await;

/**
 * The emulator with two Vertex AI projects, {@code proj-a} (account {@code gcp-a}) and {@code proj-b}
 * ({@code gcp-b}), each with its own service account, whose key files are written as the Cloud console writes them,
 * their {@code token_uri} pointing at the emulator.
 */
public final class TwoVertexProjects implements AutoCloseable {

  private final Vertx vertx;
  private final UpstreamEmulator emulator;
  private final Path keyA;
  private final Path keyB;

  private TwoVertexProjects(Vertx vertx, UpstreamEmulator emulator, Path keyA, Path keyB) {
    this.vertx = vertx;
    this.emulator = emulator;
    this.keyA = keyA;
    this.keyB = keyB;
  }

  static TwoVertexProjects start() throws Exception {
    return start(options -> options);
  }

  /** With the emulator's other accounts (Anthropic, AWS) added by {@code more}. */
  public static TwoVertexProjects start(java.util.function.UnaryOperator<EmulatorOptions> more) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair a = generator.generateKeyPair();
    KeyPair b = generator.generateKeyPair();
    Vertx vertx = Vertx.vertx();
    UpstreamEmulator emulator = await(UpstreamEmulator.start(vertx, more.apply(new EmulatorOptions()
        .setLatency(LatencyModel.ZERO))
        .addVertexAccount("gcp-a", "proj-a", email("proj-a"), (RSAPublicKey) a.getPublic())
        .addVertexAccount("gcp-b", "proj-b", email("proj-b"), (RSAPublicKey) b.getPublic())));
    return new TwoVertexProjects(vertx, emulator, keyFile("proj-a", a, emulator.baseUrl()),
        keyFile("proj-b", b, emulator.baseUrl()));
  }

  public UpstreamEmulator emulator() {
    return emulator;
  }

  /** A {@code model_list} serving {@code model} (after {@code vertex_ai/}) as {@code alias} from both projects. */
  public String modelList(String alias, String model, String location) {
    return "model_list:\n" + deployments(alias, model, location, "");
  }

  /**
   * The {@code model_list} items serving {@code model} as {@code alias} from both projects, each with
   * {@code moreParams} (one YAML line, or none) added to its {@code litellm_params}.
   */
  public String deployments(String alias, String model, String location, String moreParams) {
    StringBuilder yaml = new StringBuilder();
    for (String[] project : new String[][] {{"proj-a", keyA.toString()}, {"proj-b", keyB.toString()}}) {
      yaml.append("""
            - model_name: %s
              litellm_params:
                model: vertex_ai/%s
                vertex_project: %s
                vertex_location: %s
                vertex_credentials: %s
                api_base: %s
          """.formatted(alias, model, project[0], location, project[1], emulator.baseUrl()));
      if (!moreParams.isEmpty()) {
        yaml.append("      ").append(moreParams).append('\n');
      }
    }
    return yaml.toString();
  }

  @Override
  public void close() throws Exception {
    await(emulator.close());
    await(vertx.close());
  }

  private static String email(String project) {
    return "gw@" + project + ".iam.gserviceaccount.com";
  }

  private static Path keyFile(String project, KeyPair pair, String emulatorBaseUrl) throws Exception {
    String pem = "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(pair.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
    Path file = Files.createTempFile("affinity-sa-", ".json");
    file.toFile().deleteOnExit();
    Files.writeString(file, new JsonObject().put("type", "service_account").put("project_id", project)
        .put("private_key_id", "k-" + project).put("private_key", pem).put("client_email", email(project))
        .put("client_id", "1234567890").put("token_uri", emulatorBaseUrl + "/token").encodePrettily());
    return file;
  }
}
