package dev.affinity.model.config;

import java.util.ArrayList;
import java.util.List;

/** The problems and warnings collected while reading one file, so that all of them are reported together. */
final class Findings {

  private final List<ConfigProblem> problems = new ArrayList<>();
  private final List<ConfigProblem> warnings = new ArrayList<>();
  private final List<ConfigProblem> skipped = new ArrayList<>();

  void problem(String path, String message) {
    problems.add(new ConfigProblem(path, message));
  }

  void warning(String path, String message) {
    warnings.add(new ConfigProblem(path, message));
  }

  /** A deployment that cannot be served: a warning, and a problem only if no deployment is left. */
  void skipped(String path, String message) {
    ConfigProblem skip = new ConfigProblem(path, message);
    skipped.add(skip);
    warnings.add(skip);
  }

  List<ConfigProblem> skippedDeployments() {
    return List.copyOf(skipped);
  }

  /** A mark to compare against later: {@code problemCount() > mark} means something went wrong in between. */
  int problemCount() {
    return problems.size();
  }

  List<ConfigProblem> problems() {
    return List.copyOf(problems);
  }

  List<String> warnings() {
    return warnings.stream().map(ConfigProblem::toString).toList();
  }
}
