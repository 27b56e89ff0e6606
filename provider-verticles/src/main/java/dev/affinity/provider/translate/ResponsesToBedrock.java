package dev.affinity.provider.translate;

/**
 * A Responses API client on Claude on AWS Bedrock: the request as a Chat request, then as for an OpenAI client
 * ({@link OpenAiToBedrock}); answers and events back in the Responses API's shape ({@link ResponsesOverChat}).
 */
public final class ResponsesToBedrock extends ResponsesOverChat {

  public ResponsesToBedrock() {
    super(new OpenAiToBedrock());
  }
}
