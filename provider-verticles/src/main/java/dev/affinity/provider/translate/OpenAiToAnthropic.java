package dev.affinity.provider.translate;

/**
 * An OpenAI client on Anthropic's Messages API: the request as a Messages request, then as for an Anthropic client
 * ({@link AnthropicToAnthropic}); answers, chunks and errors back in OpenAI's shape ({@link ChatOverMessages}).
 */
public final class OpenAiToAnthropic extends ChatOverMessages {

  public OpenAiToAnthropic() {
    super(new AnthropicToAnthropic());
  }
}
