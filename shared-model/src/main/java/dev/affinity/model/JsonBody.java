package dev.affinity.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;

/**
 * A JSON tree the gateway wrote (a translated request or answer, a rewritten body) as the bytes it sends: serialised
 * once to UTF-8 and wrapped, not through a {@code String} and a second copy.
 */
public final class JsonBody {

  private static final ObjectMapper JSON = new ObjectMapper();

  private JsonBody() {
  }

  /** {@code json}'s compact serialisation, as a buffer over its own bytes. */
  public static Buffer of(JsonNode json) {
    try {
      return BufferInternal.buffer(Unpooled.wrappedBuffer(JSON.writeValueAsBytes(json)));
    } catch (JsonProcessingException impossible) {
      throw new IllegalStateException("a JSON tree always serialises", impossible);
    }
  }
}
