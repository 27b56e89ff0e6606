package dev.affinity.model;

/** What a client asked for, in which API; decides the error shape, the upstream path and whether answers stream. */
public enum Operation {
  /** Anthropic {@code POST /v1/messages}. */
  MESSAGES(ClientApi.ANTHROPIC),
  /** Anthropic {@code POST /v1/messages/count_tokens}. */
  COUNT_TOKENS(ClientApi.ANTHROPIC),
  /** OpenAI {@code POST /v1/chat/completions}. */
  CHAT_COMPLETIONS(ClientApi.OPENAI);

  private final ClientApi api;

  Operation(ClientApi api) {
    this.api = api;
  }

  public ClientApi api() {
    return api;
  }
}
