package dev.affinity.provider.translate;

/**
 * An OpenAI client on the Gemini API: the request as a Messages request, then as for an Anthropic client
 * ({@link AnthropicToGemini}); answers, chunks and errors back in OpenAI's shape ({@link ChatOverMessages}).
 */
public final class OpenAiToGemini extends ChatOverMessages {

  public OpenAiToGemini() {
    super(new AnthropicToGemini());
  }
}
