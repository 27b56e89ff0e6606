package dev.affinity.emulator;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Gemini implicit caches of one emulator's accounts, separate from their OpenAI and Anthropic caches (one account
 * plays one organisation on each provider). Shared by every server verticle of the emulator, which each mount their
 * own {@link GeminiApi}: the caches hang off the emulator's {@link EmulatorState}, and go with it.
 */
final class GeminiCaches {

  private static final Map<EmulatorState, GeminiCaches> BY_EMULATOR =
      Collections.synchronizedMap(new WeakHashMap<>());

  private final Map<String, OpenAiPromptCache> byAccount = new ConcurrentHashMap<>();

  private GeminiCaches() {
  }

  static GeminiCaches of(EmulatorState state) {
    return BY_EMULATOR.computeIfAbsent(state, s -> new GeminiCaches());
  }

  /** The account's Gemini cache: automatic prefix caching, as OpenAI's, with the entries keyed by Gemini prompts. */
  OpenAiPromptCache forAccount(AccountState account) {
    return byAccount.computeIfAbsent(account.name(), name -> new OpenAiPromptCache());
  }

  /** The account's cache for Gemini on Vertex AI: the project's own, apart from the Gemini API's. */
  OpenAiPromptCache onVertex(AccountState account) {
    return byAccount.computeIfAbsent("vertex:" + account.name(), name -> new OpenAiPromptCache());
  }
}
