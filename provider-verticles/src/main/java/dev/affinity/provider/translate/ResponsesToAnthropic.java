package dev.affinity.provider.translate;

/**
 * A Responses API client on Anthropic's Messages API: the request as a Chat request, then as for an OpenAI client
 * ({@link OpenAiToAnthropic}); answers and events back in the Responses API's shape ({@link ResponsesOverChat}).
 */
public final class ResponsesToAnthropic extends ResponsesOverChat {

  public ResponsesToAnthropic() {
    super(new OpenAiToAnthropic());
  }
}
