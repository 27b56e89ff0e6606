package dev.affinity.provider.translate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A {@link PushedStream} that reads an OpenAI Chat Completions chunk stream, whatever it is rewritten into: each chunk
 * parsed and handed over ({@link #onChunk}); {@code [DONE]} settles the stream; a chunk that is not JSON, and an error
 * chunk, fail it with the message the client should read.
 */
abstract class ChatChunkStream extends PushedStream {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One chunk of the stream, not an error. */
  abstract void onChunk(JsonNode chunk);

  /**
   * An error chunk ({@code {"error": {...}}}): the stream fails with it.
   *
   * @param message the error's message, or a general one when it has none
   */
  void onErrorChunk(JsonNode error, String message) {
    fail("api_error", message);
  }

  @Override
  final void onEvent(String eventName, String data) {
    if (data.isEmpty()) {
      return;
    }
    if (data.equals("[DONE]")) {
      settle();
      return;
    }
    JsonNode chunk;
    try {
      chunk = JSON.readTree(data);
    } catch (JsonProcessingException e) {
      fail("api_error", "The upstream model sent a malformed chunk.");
      return;
    }
    if (chunk.has("error")) {
      JsonNode error = chunk.get("error");
      String message = error.path("message").asText("");
      onErrorChunk(error, message.isEmpty() ? "The upstream model failed." : message);
      return;
    }
    onChunk(chunk);
  }
}
