package dev.affinity.emulator;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Key-order and whitespace independent JSON text: object keys sorted, no insignificant whitespace. Two blocks that
 * mean the same thing get the same text, which is what the prompt cache keys on.
 */
final class CanonicalJson {

  private static final JsonFactory FACTORY = new JsonFactory();

  private CanonicalJson() {
  }

  static String of(Object value) {
    return without(value, null);
  }

  /** Canonical text of {@code value}; when it is an object, its top-level {@code excludedKey} is left out. */
  static String without(Object value, String excludedKey) {
    StringWriter out = new StringWriter();
    try (JsonGenerator generator = FACTORY.createGenerator(out)) {
      write(generator, value, excludedKey);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static void write(JsonGenerator generator, Object value, String excludedKey) throws IOException {
    if (value instanceof JsonObject object) {
      writeObject(generator, object.getMap(), excludedKey);
    } else if (value instanceof Map<?, ?> map) {
      writeObject(generator, map, excludedKey);
    } else if (value instanceof JsonArray array) {
      writeArray(generator, array.getList());
    } else if (value instanceof List<?> list) {
      writeArray(generator, list);
    } else if (value == null) {
      generator.writeNull();
    } else if (value instanceof String string) {
      generator.writeString(string);
    } else if (value instanceof Boolean bool) {
      generator.writeBoolean(bool);
    } else if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
      generator.writeNumber(((Number) value).longValue());
    } else if (value instanceof BigInteger big) {
      generator.writeNumber(big);
    } else if (value instanceof BigDecimal decimal) {
      generator.writeNumber(decimal);
    } else if (value instanceof Number number) {
      generator.writeNumber(number.doubleValue());
    } else {
      generator.writeString(value.toString());
    }
  }

  private static void writeObject(JsonGenerator generator, Map<?, ?> map, String excludedKey) throws IOException {
    List<String> keys = new ArrayList<>(map.size());
    for (Object key : map.keySet()) {
      if (!key.equals(excludedKey)) {
        keys.add(key.toString());
      }
    }
    keys.sort(null);
    generator.writeStartObject();
    for (String key : keys) {
      generator.writeFieldName(key);
      write(generator, map.get(key), null);
    }
    generator.writeEndObject();
  }

  private static void writeArray(JsonGenerator generator, List<?> list) throws IOException {
    generator.writeStartArray();
    for (Object item : list) {
      write(generator, item, null);
    }
    generator.writeEndArray();
  }
}
