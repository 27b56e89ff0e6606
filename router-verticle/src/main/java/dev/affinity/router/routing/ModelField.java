package dev.affinity.router.routing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;

/**
 * Rewrites the top-level {@code model} of a JSON body in place, leaving every other byte as the client sent it
 * (field order, whitespace, unknown fields, number formats): the gateway forwards bodies, it does not re-serialize
 * them.
 */
public final class ModelField {

  private static final JsonFactory FACTORY = new JsonFactory();

  private ModelField() {
  }

  /** The body with its top-level {@code model} string replaced; the body itself when there is none. */
  public static Buffer replace(Buffer body, String model) {
    try {
      return BodyBytes.read(body, (bytes, offset, length) -> {
        try (JsonParser parser = FACTORY.createParser(bytes, offset, length)) {
          if (parser.nextToken() != JsonToken.START_OBJECT) {
            return body;
          }
          while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if ("model".equals(name) && value == JsonToken.VALUE_STRING) {
              int start = (int) parser.currentTokenLocation().getByteOffset();
              parser.getText(); // consumes the whole string, so the location below is just past its closing quote
              int end = (int) parser.currentLocation().getByteOffset();
              // the rest of the body is shared, not copied
              return BodyBytes.splice(body, start, end, quote(model));
            }
            parser.skipChildren();
          }
          return body;
        }
      });
    } catch (IOException malformed) {
      return body; // validated before it gets here
    }
  }

  private static byte[] quote(String value) {
    byte[] escaped = JsonStringEncoder.getInstance().quoteAsUTF8(value);
    byte[] quoted = new byte[escaped.length + 2];
    quoted[0] = '"';
    System.arraycopy(escaped, 0, quoted, 1, escaped.length);
    quoted[quoted.length - 1] = '"';
    return quoted;
  }
}
