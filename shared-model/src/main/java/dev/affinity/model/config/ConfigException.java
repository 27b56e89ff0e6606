package dev.affinity.model.config;

import java.util.List;
import java.util.stream.Collectors;

/** The configuration is unusable; {@link #problems()} lists everything found, not just the first problem. */
public final class ConfigException extends Exception {

  private static final long serialVersionUID = 1L;

  private final List<ConfigProblem> problems;

  ConfigException(String source, List<ConfigProblem> problems) {
    super(describe(source, problems));
    this.problems = List.copyOf(problems);
  }

  public List<ConfigProblem> problems() {
    return problems;
  }

  private static String describe(String source, List<ConfigProblem> problems) {
    String heading = "invalid configuration " + source + " (" + problems.size()
        + (problems.size() == 1 ? " problem):" : " problems):");
    return problems.stream().map(problem -> "\n  - " + problem).collect(Collectors.joining("", heading, ""));
  }
}
