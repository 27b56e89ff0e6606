package dev.affinity.provider.translate;

/**
 * An OpenAI client on Claude on AWS Bedrock: the request as a Messages request, then as for an Anthropic client
 * ({@link AnthropicToBedrock}); answers, chunks and errors back in OpenAI's shape ({@link ChatOverMessages}).
 */
public final class OpenAiToBedrock extends ChatOverMessages {

  public OpenAiToBedrock() {
    super(new AnthropicToBedrock());
  }
}
