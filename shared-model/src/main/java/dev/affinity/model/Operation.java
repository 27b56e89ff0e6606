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
  /** OpenAI {@code GET /v1/responses/{id}}: a stored response, read back. */
  RESPONSE_RETRIEVE(ClientApi.RESPONSES),
  /** OpenAI {@code DELETE /v1/responses/{id}}. */
  RESPONSE_DELETE(ClientApi.RESPONSES),
  /** OpenAI {@code POST /v1/responses/{id}/cancel}: stops a background response. */
  RESPONSE_CANCEL(ClientApi.RESPONSES),
  /** OpenAI {@code GET /v1/responses/{id}/input_items}: the items a stored response read. */
  RESPONSE_INPUT_ITEMS(ClientApi.RESPONSES),
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

  /**
   * Whether the client acts on a response an upstream stored ({@link GatewayRequest#storedId()} names it) rather than
   * asking a model: no body, no prompt, no model in the request; sent to the one deployment that holds it.
   */
  public boolean onStoredResponse() {
    return this == RESPONSE_RETRIEVE || this == RESPONSE_DELETE || this == RESPONSE_CANCEL
        || this == RESPONSE_INPUT_ITEMS;
  }

  /** Whether the client asks for a token count rather than an answer, whatever its API. */
  public boolean countsTokens() {
    return this == COUNT_TOKENS || this == RAW_PREDICT_COUNT_TOKENS;
  }
}
