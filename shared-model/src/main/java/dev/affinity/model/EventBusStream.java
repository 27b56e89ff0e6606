package dev.affinity.model;

/**
 * How a streamed answer reaches a cluster member that called {@link EventBusAddress#ROUTER} over the event bus: the
 * router sends each chunk (raw SSE bytes, as an HTTP client would receive them) to the caller's {@code stream_address}
 * as a {@code Buffer} message and waits for the caller's reply (any body) before more than {@link #WINDOW} chunks are
 * unacknowledged. The last message carries {@link #END} (empty body), or {@link #ERROR} with the error JSON as body.
 * A caller that stops acknowledging, or unregisters, stops the upstream call.
 */
public final class EventBusStream {

  /** Delivery header on the final message of a stream that ended normally. */
  public static final String END = "affinity-stream-end";

  /** Delivery header on the final message of a stream that failed; the body is the error JSON. */
  public static final String ERROR = "affinity-stream-error";

  /** Chunks in flight before the router waits for acknowledgements. */
  public static final int WINDOW = 16;

  private EventBusStream() {
  }
}
