package dev.affinity.provider.translate;

import io.vertx.core.buffer.Buffer;

/**
 * Turns an upstream's stream framing (AWS event stream, Gemini's SSE) into Anthropic's server-sent events as bytes
 * arrive, split anywhere. A codec the Claude-family pairs compose; {@link #NONE} for an upstream that streams
 * Anthropic's events already.
 */
public interface StreamDecoder {

  StreamDecoder NONE = new StreamDecoder() {
    @Override
    public Buffer chunk(Buffer upstream) {
      return upstream;
    }

    @Override
    public Buffer end() {
      return null;
    }
  };

  /** The events the next piece of the upstream body completes; possibly empty or null. */
  Buffer chunk(Buffer upstream);

  /** The events owed once the upstream ended (an error for a stream cut short), or null. */
  Buffer end();

  /** Whether the upstream sent something that cannot be read on; the stream is then over (see {@link StreamTranslation#done}). */
  default boolean done() {
    return false;
  }
}
