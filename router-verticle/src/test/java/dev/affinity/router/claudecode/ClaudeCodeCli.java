package dev.affinity.router.claudecode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.affinity.router.NpmCli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real Claude Code, from npm ({@code @anthropic-ai/claude-code}, whose native binary comes in the platform package),
 * installed into {@code target/claude-code} once per build ({@link NpmCli}) and run non-interactively
 * ({@code claude -p}) in a home and working directory of its own. {@code -Daffinity.claude-code.version} pins a
 * version.
 */
final class ClaudeCodeCli {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** A pinned version gets a directory of its own, so that switching versions never runs a stale install. */
  private static final String VERSION = System.getProperty("affinity.claude-code.version");

  private final Path executable;
  private final Path home;
  private final Path workdir;

  private ClaudeCodeCli(Path executable, Path home, Path workdir) {
    this.executable = executable;
    this.home = home;
    this.workdir = workdir;
  }

  /** Claude Code, installed if it is not yet; skips the test when npm is missing (fails under CI). */
  static ClaudeCodeCli installed() throws Exception {
    Path executable = NpmCli.installed("@anthropic-ai/claude-code", VERSION, "claude-code", "claude");
    Path home = Files.createTempDirectory("affinity-claude-home");
    Path workdir = Files.createTempDirectory("affinity-claude-work");
    return new ClaudeCodeCli(executable, home, workdir);
  }

  /** What one {@code claude} run printed and how it ended. */
  record Result(int exit, String stdout, String stderr) {

    /** The last JSON object {@code --output-format json} printed. */
    JsonNode json() throws IOException {
      String[] lines = stdout.strip().split("\n");
      return JSON.readTree(lines[lines.length - 1]);
    }

    @Override
    public String toString() {
      return "exit " + exit + "\nstdout: " + stdout + "\nstderr: " + stderr;
    }
  }

  /**
   * {@code claude -p <prompt> --output-format json} with {@code environment} (the mode and the gateway), and
   * {@code --resume <session>} when {@code session} is not null: one more turn of that conversation.
   */
  Result prompt(Map<String, String> environment, String prompt, String session) throws Exception {
    List<String> options = new ArrayList<>(List.of("--max-turns", "1"));
    if (session != null) {
      options.addAll(List.of("--resume", session));
    }
    return claude(environment, prompt, options);
  }

  /**
   * {@code claude -p <prompt> --output-format json} allowed to run {@code tools} (Claude Code's names, e.g.
   * {@code Read}) without asking, for up to {@code turns} model turns: Claude Code's own tool loop, in its working
   * directory.
   */
  Result withTools(Map<String, String> environment, String prompt, String tools, int turns) throws Exception {
    return claude(environment, prompt, List.of("--max-turns", String.valueOf(turns), "--allowedTools", tools));
  }

  /** The working directory Claude Code runs in: where its tools read and write. */
  Path workdir() {
    return workdir;
  }

  private Result claude(Map<String, String> environment, String prompt, List<String> options) throws Exception {
    List<String> command = new ArrayList<>(List.of(executable.toString(), "-p", prompt, "--output-format", "json"));
    command.addAll(options);
    Map<String, String> env = new HashMap<>(environment);
    env.put("HOME", home.toString());
    env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
    env.put("DISABLE_AUTOUPDATER", "1");
    // the machine's own Anthropic, AWS and Google settings must not leak into the run
    NpmCli.Result run = NpmCli.run(command, env, List.of("ANTHROPIC_", "AWS_", "CLAUDE_", "CLOUD_ML_", "GOOGLE_",
        "VERTEX_"), workdir, 180);
    return new Result(run.exit(), run.stdout(), run.stderr());
  }

  /**
   * A conversation of {@code turns} one-sentence turns, each {@code --resume}-ing the one before: every turn answers,
   * in one session, and from the second on reads the cache the turns before it wrote.
   */
  void converse(Map<String, String> environment, int turns) throws Exception {
    String session = null;
    for (int turn = 1; turn <= turns; turn++) {
      Result result = prompt(environment, "Turn " + turn + ": reply with one short sentence.", session);
      assertThat(result.exit()).as(result.toString()).isZero();
      JsonNode answer = result.json();
      assertThat(answer.path("is_error").asBoolean(true)).as(result.toString()).isFalse();
      assertThat(answer.path("result").asText()).isNotBlank();
      if (turn > 1) {
        assertThat(answer.path("session_id").asText()).isEqualTo(session);
        assertThat(answer.path("usage").path("cache_read_input_tokens").asLong()).as("turn " + turn + " reads"
            + " the cache the turns before it wrote: " + result.stdout()).isPositive();
      }
      session = answer.path("session_id").asText();
    }
  }
}
