package dev.affinity.provider.translate;

/**
 * An OpenAI client on Vertex AI (Claude, and Gemini models there): the request as a Messages request, then as for an Anthropic client
 * ({@link AnthropicToVertex}); answers, chunks and errors back in OpenAI's shape ({@link ChatOverMessages}).
 */
public final class OpenAiToVertex extends ChatOverMessages {

  public OpenAiToVertex() {
    super(new AnthropicToVertex());
  }
}
