package dev.affinity.emulator;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Responses API answers one account stored ({@code store}, true by default): for each, the response object as it
 * was answered (what {@code GET /v1/responses/{id}} returns), the request's input items with their ids (what
 * {@code GET /v1/responses/{id}/input_items} lists) and the conversation a follow-up with {@code previous_response_id}
 * continues (the items the model read, then its output; not the {@code instructions}, which OpenAI does not carry
 * over). Per account, as OpenAI keeps them per organisation: another account's id is not found. The oldest are
 * dropped past {@value #CAPACITY}, which bounds memory. Thread-safe.
 */
final class StoredResponses {

  static final int CAPACITY = 1_000;

  /**
   * One stored response: the object, its input items (with ids), the conversation through it, and the events of a
   * background response created streamed (else null), which a client may resume.
   */
  record Stored(JsonObject response, List<JsonObject> inputItems, List<JsonObject> conversation, EventLog events) {
  }

  private final Map<String, Stored> stored = new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Stored> eldest) {
      return size() > CAPACITY;
    }
  };

  synchronized void store(String responseId, JsonObject response, List<JsonObject> inputItems,
      List<JsonObject> conversation) {
    store(responseId, response, inputItems, conversation, null);
  }

  /** Stores a response with the events a client may resume it from ({@code events}, or null for none). */
  synchronized void store(String responseId, JsonObject response, List<JsonObject> inputItems,
      List<JsonObject> conversation, EventLog events) {
    stored.put(responseId, new Stored(response.copy(), List.copyOf(inputItems), List.copyOf(conversation), events));
  }

  /** The conversation through the response {@code responseId}, or null when this account has none of that id. */
  synchronized List<JsonObject> conversation(String responseId) {
    Stored response = stored.get(responseId);
    return response == null ? null : response.conversation();
  }

  /** The stored response {@code responseId}, or null when this account has none of that id. */
  synchronized Stored get(String responseId) {
    return stored.get(responseId);
  }

  /**
   * Replaces a background response still running ({@code queued} or {@code in_progress}) with {@code next}: its next
   * state, or its answer. False when it is over (cancelled, say) or gone, and then nothing changes.
   */
  synchronized boolean advance(String responseId, JsonObject next, List<JsonObject> conversation) {
    Stored current = stored.get(responseId);
    if (current == null || !running(current.response())) {
      return false;
    }
    stored.put(responseId, new Stored(next.copy(), current.inputItems(), List.copyOf(conversation),
        current.events()));
    return true;
  }

  /**
   * Cancels a background response: one still running becomes {@code cancelled}; one already over is answered as it is
   * (cancelling twice is idempotent, as OpenAI's is). Null when this account has none of that id.
   */
  synchronized JsonObject cancel(String responseId) {
    Stored current = stored.get(responseId);
    if (current == null) {
      return null;
    }
    if (running(current.response())) {
      JsonObject cancelled = current.response().copy().put("status", "cancelled");
      stored.put(responseId, new Stored(cancelled, current.inputItems(), current.conversation(),
          current.events()));
      return cancelled.copy();
    }
    return current.response().copy();
  }

  private static boolean running(JsonObject response) {
    String status = response.getString("status");
    return "queued".equals(status) || "in_progress".equals(status);
  }

  /** Forgets the response {@code responseId}; false when this account had none of that id. */
  synchronized boolean delete(String responseId) {
    return stored.remove(responseId) != null;
  }

  synchronized void clear() {
    stored.clear();
  }
}
