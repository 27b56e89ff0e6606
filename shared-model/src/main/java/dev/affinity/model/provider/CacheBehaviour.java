package dev.affinity.model.provider;

/**
 * How a provider caches prompt prefixes, as data the routing policy reads: whether it caches at markers
 * ({@code cache_control}), by itself, or not at all; which form of the prompt its cache sees; and from how many
 * tokens it caches.
 *
 * @param caching       markers, automatic, or none
 * @param layout        the form the prefix chain is computed on
 * @param minimumTokens the smallest prefix cached, or {@link #MODEL_MINIMUM} for the model's published minimum
 *                      (Claude's differ by model); a deployment's {@code model_info.min_cacheable_tokens} wins
 */
public record CacheBehaviour(Caching caching, PromptLayout layout, int minimumTokens) {

  /** The model's own published minimum, looked up by model id (Claude's table). */
  public static final int MODEL_MINIMUM = 0;

  /** Claude's prompt cache, at {@code cache_control} markers, over the Messages body: Anthropic, Bedrock, Vertex. */
  public static final CacheBehaviour CLAUDE_MARKERS =
      new CacheBehaviour(Caching.MARKERS, PromptLayout.MESSAGES, MODEL_MINIMUM);

  /** A provider without a prompt cache: no affinity, the strategy alone routes. */
  public static final CacheBehaviour NONE = new CacheBehaviour(Caching.NONE, PromptLayout.CHAT_COMPLETIONS, 0);

  /** Where the cache is written. */
  public enum Caching {
    /** At the client's (or the gateway's injected) {@code cache_control} markers. */
    MARKERS,
    /** By the provider itself at any boundary past the minimum, without markers. */
    AUTOMATIC,
    /** Not at all. */
    NONE
  }

  /** The form of the prompt the provider's cache sees, and so the one its prefix chain is computed on. */
  public enum PromptLayout {
    /** Anthropic's Messages body as sent: tools, system, messages, with markers. */
    MESSAGES,
    /** OpenAI's Chat Completions body as sent. */
    CHAT_COMPLETIONS,
    /** The Messages body read as a conversation (tools, the system instruction, then the turns), as Gemini sees it. */
    CONVERSATION;

    /** Whether the chain is computed on the OpenAI form of the request rather than the Anthropic one. */
    public boolean openAiForm() {
      return this == CHAT_COMPLETIONS;
    }
  }

  /** Whether affinity has anything to pin: the provider keeps a prompt cache. */
  public boolean cachesPrompts() {
    return caching != Caching.NONE;
  }
}
