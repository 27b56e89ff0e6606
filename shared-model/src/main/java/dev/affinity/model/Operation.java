package dev.affinity.model;

/** What a client asked for; decides the upstream path and whether an answer can stream. */
public enum Operation {
  /** Anthropic {@code POST /v1/messages}. */
  MESSAGES("/v1/messages"),
  /** Anthropic {@code POST /v1/messages/count_tokens}. */
  COUNT_TOKENS("/v1/messages/count_tokens");

  private final String anthropicPath;

  Operation(String anthropicPath) {
    this.anthropicPath = anthropicPath;
  }

  public String anthropicPath() {
    return anthropicPath;
  }
}
