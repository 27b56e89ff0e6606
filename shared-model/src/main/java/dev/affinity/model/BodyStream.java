package dev.affinity.model;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * An upstream answer body that is still arriving, handed from the provider verticle to the ingress verticle inside
 * one node (local codec: no copy, back-pressure intact). It starts paused.
 */
public interface BodyStream extends ReadStream<Buffer> {

  /** Stops the upstream call at once (the client went away); no further data or end is delivered. */
  void cancel();

  /**
   * How the call ended, once it did: the stream's usage and error type (or why it was cut), and its timings.
   * Completed once, on the provider's context, when the upstream ended, failed or was cancelled.
   */
  Future<CallOutcome> outcome();
}
