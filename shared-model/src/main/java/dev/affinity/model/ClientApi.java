package dev.affinity.model;

/**
 * The API a client speaks, and so the shape of every answer, stream and error it gets. With the upstream's API
 * ({@link dev.affinity.model.config.ProviderKind}) it picks the translator of a call.
 */
public enum ClientApi {
  /** Anthropic's Messages API. */
  ANTHROPIC("POST /v1/messages"),
  /** OpenAI's Chat Completions API. */
  OPENAI("POST /v1/chat/completions"),
  /** OpenAI's Responses API, as OpenAI's Codex CLI and the Agents SDK call it. */
  RESPONSES("POST /v1/responses"),
  /** Bedrock's InvokeModel, as Claude Code calls it in its Bedrock mode. */
  BEDROCK_INVOKE("POST /model/{modelId}/invoke"),
  /** Vertex AI's rawPredict for Anthropic's models, as Claude Code calls it in its Vertex mode. */
  VERTEX_RAW_PREDICT("POST /v1/projects/{project}/locations/{location}/publishers/anthropic/models/{model}:rawPredict");

  private final String endpoint;

  ClientApi(String endpoint) {
    this.endpoint = endpoint;
  }

  /** The request a client of this API makes, for errors that tell a client which API to call instead. */
  public String endpoint() {
    return endpoint;
  }
}
