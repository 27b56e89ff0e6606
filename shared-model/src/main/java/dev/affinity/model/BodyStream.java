package dev.affinity.model;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * An upstream answer body that is still arriving, handed from the provider verticle to the ingress verticle inside
 * one node (local codec: no copy, back-pressure intact). It starts paused.
 */
public interface BodyStream extends ReadStream<Buffer> {

  /** Stops the upstream call at once (the client went away); no further data or end is delivered. */
  void cancel();
}
