package dev.affinity.provider.translate;

/**
 * A Responses API client on Vertex AI (Claude, and Gemini models there): the request as a Chat request, then as for
 * an OpenAI client ({@link OpenAiToVertex}); answers and events back in the Responses API's shape
 * ({@link ResponsesOverChat}).
 */
public final class ResponsesToVertex extends ResponsesOverChat {

  public ResponsesToVertex() {
    super(new OpenAiToVertex());
  }
}
