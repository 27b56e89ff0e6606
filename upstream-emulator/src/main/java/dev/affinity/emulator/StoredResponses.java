package dev.affinity.emulator;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Responses API answers one account stored ({@code store}, true by default): for each, the conversation a
 * follow-up with {@code previous_response_id} continues (the items the model read, then its output; not the
 * {@code instructions}, which OpenAI does not carry over). Per account, as OpenAI keeps them per organisation: another
 * account's id is not found. The oldest are dropped past {@value #CAPACITY}, which bounds memory. Thread-safe.
 */
final class StoredResponses {

  static final int CAPACITY = 1_000;

  private final Map<String, List<JsonObject>> conversations = new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, List<JsonObject>> eldest) {
      return size() > CAPACITY;
    }
  };

  synchronized void store(String responseId, List<JsonObject> conversation) {
    conversations.put(responseId, List.copyOf(conversation));
  }

  /** The conversation through the response {@code responseId}, or null when this account has none of that id. */
  synchronized List<JsonObject> conversation(String responseId) {
    return conversations.get(responseId);
  }

  synchronized void clear() {
    conversations.clear();
  }
}
