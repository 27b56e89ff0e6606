package dev.affinity.model.config;

import java.util.Objects;

/**
 * One thing wrong (or, as a warning, odd) in a configuration file.
 *
 * @param path    where: {@code model_list[2].litellm_params.model}; empty for the file as a whole
 * @param message what, never quoting a value that could be a secret
 */
public record ConfigProblem(String path, String message) {

  public ConfigProblem {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(message, "message");
  }

  @Override
  public String toString() {
    return path.isEmpty() ? message : path + ": " + message;
  }
}
