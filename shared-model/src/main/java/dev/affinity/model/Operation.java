package dev.affinity.model;

/** What a client asked for, in which API; decides the error shape, the upstream path and whether answers stream. */
public enum Operation {
  /** Anthropic {@code POST /v1/messages}. */
  MESSAGES(ClientApi.ANTHROPIC),
  /** Anthropic {@code POST /v1/messages/count_tokens}. */
  COUNT_TOKENS(ClientApi.ANTHROPIC),
  /** OpenAI {@code POST /v1/chat/completions}. */
  CHAT_COMPLETIONS(ClientApi.OPENAI),
  /** OpenAI {@code POST /v1/responses}. */
  RESPONSES(ClientApi.RESPONSES),
  /** Bedrock's {@code POST /model/{modelId}/invoke} and {@code /invoke-with-response-stream}. */
  INVOKE_MODEL(ClientApi.BEDROCK_INVOKE),
  /** Vertex AI's {@code .../publishers/anthropic/models/{model}:rawPredict} and {@code :streamRawPredict}. */
  RAW_PREDICT(ClientApi.VERTEX_RAW_PREDICT),
  /** Vertex AI's {@code .../publishers/anthropic/models/count-tokens:rawPredict}. */
  RAW_PREDICT_COUNT_TOKENS(ClientApi.VERTEX_RAW_PREDICT);

  private final ClientApi api;

  Operation(ClientApi api) {
    this.api = api;
  }

  public ClientApi api() {
    return api;
  }

  /** Whether the client asks for a token count rather than an answer, whatever its API. */
  public boolean countsTokens() {
    return this == COUNT_TOKENS || this == RAW_PREDICT_COUNT_TOKENS;
  }
}
