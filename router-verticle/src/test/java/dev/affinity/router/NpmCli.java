package dev.affinity.router;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A command-line client published on npm (Claude Code, Codex), installed into {@code target/<directory>} once per
 * build and run as a process whose environment the test gives. Without npm the tests that need it are skipped,
 * except under {@code CI=true}, where npm is there and a skip would hide a failure.
 */
public final class NpmCli {

  private NpmCli() {
  }

  /** What one run printed and how it ended. */
  public record Result(int exit, String stdout, String stderr) {

    @Override
    public String toString() {
      return "exit " + exit + "\nstdout: " + stdout + "\nstderr: " + stderr;
    }
  }

  /**
   * The executable {@code bin} of npm package {@code pkg} ({@code version} when not null, else the latest),
   * installed under {@code target/<directory>/<version or "current">} if it is not there yet.
   */
  public static Path installed(String pkg, String version, String directory, String bin) throws Exception {
    Path prefix = Path.of("target", directory, version == null ? "current" : version).toAbsolutePath();
    Path executable = prefix.resolve(Path.of("node_modules", ".bin", bin));
    if (Files.isExecutable(executable)) {
      return executable;
    }
    String npm = onPath("npm");
    if (npm == null) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new IllegalStateException("npm is not on the PATH, and CI=true: the tests of " + pkg + " must run");
      }
      Assumptions.abort("npm is not on the PATH: " + pkg + " cannot be installed");
    }
    Files.createDirectories(prefix);
    Result install = run(List.of(npm, "install", "--prefix", prefix.toString(), "--no-audit", "--no-fund",
        "--no-save", pkg + (version == null ? "" : "@" + version)), Map.of(), List.of(), prefix, 600);
    if (install.exit() != 0 || !Files.isExecutable(executable)) {
      throw new IllegalStateException("npm could not install " + pkg + ": " + install);
    }
    return executable;
  }

  /**
   * Runs {@code command} in {@code directory} with no input, the machine's variables starting with any of
   * {@code dropped} removed (its own provider settings must not leak into the run) and {@code environment} added.
   */
  public static Result run(List<String> command, Map<String, String> environment, List<String> dropped,
                           Path directory, long timeoutSeconds) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile());
    builder.environment().keySet().removeIf(name -> dropped.stream().anyMatch(name::startsWith));
    builder.environment().putAll(environment);
    Path out = Files.createTempFile("npm-cli-out", ".txt");
    Path err = Files.createTempFile("npm-cli-err", ".txt");
    builder.redirectOutput(out.toFile()).redirectError(err.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Process process = builder.start();
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException(command.get(0) + " did not finish within " + timeoutSeconds + " s");
    }
    Result result = new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
    Files.deleteIfExists(out);
    Files.deleteIfExists(err);
    return result;
  }

  private static String onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String directory : path.split(File.pathSeparator)) {
      Path candidate = Path.of(directory, program);
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    return null;
  }
}
