package dev.affinity.router.codex;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.router.NpmCli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The real OpenAI Codex CLI, from npm ({@code @openai/codex}, whose native binary comes in the platform package),
 * installed into {@code target/codex} once per build ({@link NpmCli}) and run non-interactively
 * ({@code codex exec --json}) with a home of its own whose {@code config.toml} names the gateway as its model
 * provider, on the Responses API. {@code -Daffinity.codex.version} pins a version.
 */
final class CodexCli {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String VERSION = System.getProperty("affinity.codex.version");
  /** Where Codex finds the gateway's key: named in its provider's {@code env_key}. */
  private static final String KEY_VARIABLE = "AFFINITY_API_KEY";

  private final Path executable;
  private final Path home;
  private final Path workdir;

  private CodexCli(Path executable, Path home, Path workdir) {
    this.executable = executable;
    this.home = home;
    this.workdir = workdir;
  }

  /**
   * Codex, installed if it is not yet, configured to call {@code baseUrl} (the gateway's {@code /v1}) for
   * {@code model}, with more top-level {@code settings} (TOML lines, e.g. {@code model_reasoning_effort = "medium"});
   * skips the test when npm is missing (fails under CI).
   */
  static CodexCli installed(String baseUrl, String model, String... settings) throws Exception {
    Path executable = NpmCli.installed("@openai/codex", VERSION, "codex", "codex");
    Path home = Files.createTempDirectory("affinity-codex-home");
    Files.createDirectories(home.resolve(".codex"));
    Files.writeString(home.resolve(Path.of(".codex", "config.toml")), """
        model = "%s"
        model_provider = "affinity"
        %s
        [model_providers.affinity]
        name = "Affinity"
        base_url = "%s"
        env_key = "%s"
        wire_api = "responses"
        """.formatted(model, String.join("\n", settings), baseUrl, KEY_VARIABLE));
    return new CodexCli(executable, home, Files.createTempDirectory("affinity-codex-work"));
  }

  /** What one {@code codex exec --json} run printed (one JSON event per line) and how it ended. */
  record Result(int exit, String stdout, String stderr) {

    /** The JSON events printed, in order; lines that are not JSON (warnings) are left out. */
    List<JsonNode> events() {
      List<JsonNode> events = new ArrayList<>();
      for (String line : stdout.split("\n")) {
        if (line.startsWith("{")) {
          try {
            events.add(JSON.readTree(line));
          } catch (IOException notJson) {
            // a warning that happens to start with a brace
          }
        }
      }
      return events;
    }

    /** The completed items of {@code type} ({@code agent_message}, {@code command_execution}...). */
    List<JsonNode> completed(String type) {
      return events().stream().filter(event -> event.path("type").asText().equals("item.completed"))
          .map(event -> event.path("item")).filter(item -> item.path("type").asText().equals(type)).toList();
    }

    /** The usage of the last completed turn. */
    JsonNode usage() {
      List<JsonNode> turns = events().stream()
          .filter(event -> event.path("type").asText().equals("turn.completed")).toList();
      return turns.isEmpty() ? JSON.missingNode() : turns.get(turns.size() - 1).path("usage");
    }

    @Override
    public String toString() {
      return "exit " + exit + "\nstdout: " + stdout + "\nstderr: " + stderr;
    }
  }

  /** {@code codex exec --json <prompt>} with the gateway's key: a new thread. */
  Result exec(String key, String prompt) throws Exception {
    return codex(key, List.of(prompt));
  }

  /** {@code codex exec --json resume --last <prompt>}: one more turn of the last thread. */
  Result resume(String key, String prompt) throws Exception {
    return codex(key, List.of("resume", "--last", prompt));
  }

  /** The working directory Codex runs in: where its commands run. */
  Path workdir() {
    return workdir;
  }

  private Result codex(String key, List<String> arguments) throws Exception {
    List<String> command = new ArrayList<>(List.of(executable.toString(), "exec", "--skip-git-repo-check", "--json"));
    command.addAll(arguments);
    // the machine's own OpenAI and Codex settings must not leak into the run
    NpmCli.Result run = NpmCli.run(command, Map.of("HOME", home.toString(), "CODEX_HOME",
        home.resolve(".codex").toString(), KEY_VARIABLE, key), List.of("OPENAI_", "CODEX_"), workdir, 180);
    return new Result(run.exit(), run.stdout(), run.stderr());
  }
}
