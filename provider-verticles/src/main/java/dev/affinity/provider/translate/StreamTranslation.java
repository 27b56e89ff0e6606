package dev.affinity.provider.translate;

import dev.affinity.model.TokenUsage;
import io.vertx.core.buffer.Buffer;

/**
 * One streamed answer on its way from the upstream to the client: upstream bytes (SSE, AWS event stream, Gemini's
 * SSE) in, as they arrive and split anywhere; client bytes out. Reads the usage and error type as they go by.
 * Not thread-safe: one instance per stream, fed from the context that reads the upstream body.
 */
public interface StreamTranslation {

  /** The client's bytes for the next piece of the upstream body; possibly empty, never null. */
  Buffer chunk(Buffer upstream);

  /**
   * The bytes to send after the upstream's last piece (a closing frame, an error for a cut stream), or null. Called
   * once, when the upstream ended or the stream is {@link #done}.
   */
  Buffer end();

  /**
   * Whether the stream is over for the client although the upstream has not ended, because the upstream sent
   * something that cannot be read on (a corrupted frame, said in the stream already). The client's stream then ends
   * and the upstream call is abandoned.
   */
  default boolean done() {
    return false;
  }

  /** The usage the stream reported so far (complete once the stream ended), in Anthropic's terms. */
  TokenUsage usage();

  /** The type of an error the stream reported (Anthropic's names), or null. */
  String errorType();

  /** The content type the client sees for the stream, or null for the upstream's own. */
  String contentType();

  /**
   * The id (the client's form) of a background response this stream showed running and not yet over: the upstream
   * goes on with it if the stream ends now, so its usage is still to come. Null otherwise.
   */
  default String runningResponse() {
    return null;
  }

  /**
   * Whether the stream is of a background response it has not named yet: the upstream runs it whether or not anyone
   * reads the stream, so a consumer that leaves now must not end the read before the response's id comes (without
   * it, the call could never be read back and booked).
   */
  default boolean awaitingResponseId() {
    return false;
  }
}
