package dev.affinity.provider.translate;

/**
 * A Responses API client on the Gemini API: the request as a Chat request, then as for an OpenAI client
 * ({@link OpenAiToGemini}); answers and events back in the Responses API's shape ({@link ResponsesOverChat}).
 */
public final class ResponsesToGemini extends ResponsesOverChat {

  public ResponsesToGemini() {
    super(new OpenAiToGemini());
  }
}
