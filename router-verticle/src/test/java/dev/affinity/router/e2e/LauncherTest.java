package dev.affinity.router.e2e;

import dev.affinity.router.AffinityMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The launcher as a user meets it: a bad config stops start-up with exit code 2 and names the exact path. */
class LauncherTest {

  record Run(int exitCode, String stdout, String stderr) {
  }

  private static Run launch(Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), AffinityMain.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(env);
    Process process = builder.start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
        new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  @Test
  void badConfigExitsWithCode2AndNamesThePathButNeverTheSecret(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("config.yaml");
    Files.writeString(config, """
        model_list:
          - model_name: claude
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-ant-literal-secret-42}
          - model_name: claude
            litellm_params: {api_key: sk-ant-literal-secret-42}
          - model_name: claude
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: os.environ/AFFINITY_TEST_MISSING_KEY}
        """);
    Run run = launch(Map.of(), "--config", config.toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr()).contains("model_list[1].litellm_params.model")
        .contains("AFFINITY_TEST_MISSING_KEY")
        .doesNotContain("sk-ant-literal-secret-42");
    assertThat(run.stdout()).doesNotContain("sk-ant-literal-secret-42");
  }

  @Test
  void missingConfigAndUnknownFlagsExitWith2() throws Exception {
    assertThat(launch(Map.of()).exitCode()).isEqualTo(2);
    Run unknown = launch(Map.of(), "--config", "x.yaml", "--colour", "blue");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.stderr()).contains("--colour");
    Run missingFile = launch(Map.of(), "--config", "/nonexistent/affinity.yaml");
    assertThat(missingFile.exitCode()).isEqualTo(2);
    assertThat(missingFile.stderr()).contains("/nonexistent/affinity.yaml");
  }

  /** The cluster's safe default as the launcher applies it: off loopback, TLS or the operator's explicit opt-in. */
  @Test
  void aClusterInterfaceBeyondLoopbackWithoutTlsExitsWith2NamingTheFlags(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("config.yaml");
    Files.writeString(config, """
        model_list:
          - model_name: claude
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-ant-test}
        """);
    Run refused = launch(Map.of(), "--config", config.toString(), "--cluster-interface", "10.0.0.11",
        "--cluster-name", "prod");
    assertThat(refused.exitCode()).isEqualTo(2);
    // the first line is the reason; the usage text follows it
    assertThat(refused.stderr().lines().findFirst()).get().asString()
        .contains("--cluster-tls-cert", "--cluster-tls-key", "--cluster-tls-ca", "--cluster-plaintext");
    // a switch: it takes no value, so the flag after it is read as a flag (here the missing name is what stops it)
    Run switched = launch(Map.of(), "--config", config.toString(), "--cluster-plaintext", "--cluster-interface",
        "10.0.0.11");
    assertThat(switched.exitCode()).isEqualTo(2);
    assertThat(switched.stderr().lines().findFirst()).get().asString().contains("--cluster-name");
  }

  @Test
  void helpPrintsUsage() throws Exception {
    Run help = launch(Map.of(), "--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.stdout()).contains("--config FILE", "--cluster-members");
  }
}
