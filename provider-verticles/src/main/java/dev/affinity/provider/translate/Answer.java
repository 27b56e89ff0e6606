package dev.affinity.provider.translate;

import dev.affinity.model.TokenUsage;
import io.vertx.core.buffer.Buffer;

/**
 * A complete answer as the client receives it, with the usage and error type read from it.
 *
 * @param status    the status the client receives; 0 for the upstream's own
 * @param body      the client's body
 * @param errorType the answer's error type (Anthropic's names), null for a success
 */
public record Answer(int status, Buffer body, TokenUsage usage, String errorType) {

  /** An answer relayed with the upstream's status. */
  public Answer(Buffer body, TokenUsage usage, String errorType) {
    this(0, body, usage, errorType);
  }
}
