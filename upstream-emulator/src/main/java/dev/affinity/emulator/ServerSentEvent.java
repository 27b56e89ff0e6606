package dev.affinity.emulator;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * One event of a streamed answer.
 *
 * @param paced whether it carries output tokens, and so waits for the output rate before it is written
 */
record ServerSentEvent(String name, JsonObject data, boolean paced) implements PacedAnswer.PacedEvent {

  @Override
  public Buffer toBuffer() {
    return Buffer.buffer("event: " + name + "\ndata: " + data.encode() + "\n\n");
  }
}
