package dev.affinity.provider.translate;

import dev.affinity.model.ClientApi;
import dev.affinity.model.GatewayError;
import dev.affinity.model.TokenUsage;
import io.vertx.core.buffer.Buffer;

/**
 * A complete answer as the client receives it, with the usage and error type read from it.
 *
 * @param status      the status the client receives; 0 for the upstream's own
 * @param body        the client's body
 * @param errorType   the answer's error type (Anthropic's names), null for a success
 * @param contentType the content type the client sees, or null for the upstream's own (a body relayed as it came)
 */
public record Answer(int status, Buffer body, TokenUsage usage, String errorType, String contentType) {

  public static final String JSON = "application/json";

  /** The upstream's answer relayed as it came, with its status and content type. */
  public static Answer relayed(Buffer body, TokenUsage usage, String errorType) {
    return new Answer(0, body, usage, errorType, null);
  }

  /** A JSON answer the translator wrote, with {@code status} (0 for the upstream's own). */
  public static Answer json(int status, Buffer body, TokenUsage usage, String errorType) {
    return new Answer(status, body, usage, errorType, JSON);
  }

  /**
   * An error read from an upstream's answer, in Anthropic's shape: what the Claude-family pairs answer with (an
   * OpenAI client's pair reshapes it again).
   */
  public static Answer anthropicError(GatewayError error) {
    return json(error.status(), error.toJson(ClientApi.ANTHROPIC).toBuffer(), TokenUsage.NONE, error.type());
  }

  /** The status the client receives for an upstream answer of {@code upstreamStatus}. */
  public int statusFor(int upstreamStatus) {
    return status == 0 ? upstreamStatus : status;
  }
}
