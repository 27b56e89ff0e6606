package dev.affinity.router.routing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * LiteLLM's request tags in a body: the top-level {@code tags} and {@code metadata.tags}, when they are arrays. They
 * are the gateway's (spend tracking), not the provider's, which refuses them (Anthropic: extra inputs are not
 * permitted; OpenAI: an unrecognized argument, or a metadata value that is not a string), so they are taken out
 * before the body is forwarded, as LiteLLM takes them out. The rest of the body keeps its bytes, as with
 * {@link ModelField}. A {@code metadata.tags} that is a string is an OpenAI metadata pair: left where it is.
 */
public final class TagFields {

  private static final JsonFactory FACTORY = new JsonFactory();
  private static final String TAGS = "tags";

  private TagFields() {
  }

  /** The body's tag arrays, top-level first; none when it has none. */
  public static List<JsonNode> of(JsonNode json) {
    List<JsonNode> found = new ArrayList<>(2);
    if (json.path(TAGS).isArray()) {
      found.add(json.get(TAGS));
    }
    if (json.path("metadata").path(TAGS).isArray()) {
      found.add(json.get("metadata").get(TAGS));
    }
    return found;
  }

  /**
   * {@code body} without its tag arrays, taken out of {@code json} too (the translators read the tree). Every request
   * passes here: one that has none costs two lookups in the tree.
   */
  public static Buffer remove(Buffer body, ObjectNode json) {
    boolean topLevel = json.path(TAGS).isArray();
    boolean inMetadata = json.path("metadata").path(TAGS).isArray();
    if (!topLevel && !inMetadata) {
      return body;
    }
    if (topLevel) {
      json.remove(TAGS);
    }
    if (inMetadata) {
      ((ObjectNode) json.get("metadata")).remove(TAGS);
    }
    try {
      List<int[]> cuts = BodyBytes.read(body, (bytes, offset, length) -> {
        List<int[]> found = new ArrayList<>(2);
        try (JsonParser parser = FACTORY.createParser(bytes, offset, length)) {
          if (parser.nextToken() == JsonToken.START_OBJECT) {
            cut(parser, found, true);
          }
        }
        return found;
      });
      Buffer kept = body;
      // from the last cut back, so that each cut's offsets still hold
      for (int i = cuts.size() - 1; i >= 0; i--) {
        kept = BodyBytes.splice(kept, cuts.get(i)[0], cuts.get(i)[1], new byte[0]);
      }
      return kept;
    } catch (IOException malformed) {
      return body; // validated before it gets here
    }
  }

  /**
   * Adds the byte ranges of an object's tag members to {@code cuts}, each with the comma that joined it to a neighbour,
   * so the object stays valid JSON; the parser is just past the object's start and is left at its end.
   */
  private static void cut(JsonParser parser, List<int[]> cuts, boolean topLevel) throws IOException {
    int previousEnd = -1;
    int[] first = null; // a first member cut: it ends where the next begins
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      int start = (int) parser.currentTokenLocation().getByteOffset();
      if (first != null) {
        cuts.add(new int[] {first[0], start});
        first = null;
      }
      String name = parser.currentName();
      JsonToken value = parser.nextToken();
      if (topLevel && name.equals("metadata") && value == JsonToken.START_OBJECT) {
        cut(parser, cuts, false);
      } else if (name.equals(TAGS) && value == JsonToken.START_ARRAY) {
        parser.skipChildren();
        int end = (int) parser.currentLocation().getByteOffset();
        if (previousEnd >= 0) {
          cuts.add(new int[] {previousEnd, end});
        } else {
          first = new int[] {start, end};
        }
        continue;
      } else {
        parser.skipChildren();
        parser.finishToken(); // a string is read lazily: its end is known once it is
      }
      previousEnd = (int) parser.currentLocation().getByteOffset();
    }
    if (first != null) {
      cuts.add(first); // the object's only member
    }
  }
}
