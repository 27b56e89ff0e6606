package dev.affinity.router.routing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** LiteLLM's tags taken out of a body before it is forwarded, every other byte kept. */
class TagFieldsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static String removed(String body) throws Exception {
    ObjectNode tree = (ObjectNode) JSON.readTree(body);
    String kept = TagFields.remove(Buffer.buffer(body), tree).toString();
    assertThat(JSON.readTree(kept)).as("still JSON, and the tree says the same").isEqualTo(tree);
    return kept;
  }

  @Test
  void aTagsMemberGoesWithTheCommaThatJoinedIt() throws Exception {
    assertThat(removed("{\"model\":\"m\", \"tags\" : [\"a\", \"b\"] ,\"max_tokens\":5}"))
        .isEqualTo("{\"model\":\"m\" ,\"max_tokens\":5}");
    assertThat(removed("{\"tags\":[\"a\"],\n \"model\":\"m\"}")).isEqualTo("{\"model\":\"m\"}");
    assertThat(removed("{\"model\":\"m\",\"tags\":[]}")).isEqualTo("{\"model\":\"m\"}");
  }

  @Test
  void metadataTagsGoAndTheRestOfMetadataStays() throws Exception {
    assertThat(removed("{\"metadata\":{\"user_id\":\"u-\\\"1\",\"tags\":[\"job:7\"]},\"model\":\"m\"}"))
        .isEqualTo("{\"metadata\":{\"user_id\":\"u-\\\"1\"},\"model\":\"m\"}");
    assertThat(removed("{\"model\":\"m\",\"metadata\":{\"tags\":[\"a\",[\"nested\"]]}}"))
        .isEqualTo("{\"model\":\"m\",\"metadata\":{}}");
    assertThat(removed("{\"tags\":[\"x\"],\"metadata\":{\"tags\":[\"y\"],\"trace\":\"é✓\"},\"system\":\"é\"}"))
        .isEqualTo("{\"metadata\":{\"trace\":\"é✓\"},\"system\":\"é\"}");
  }

  @Test
  void whatIsNotLiteLlmsIsLeftAlone() throws Exception {
    // an OpenAI metadata pair named tags, a nested tags array and a message's text stay
    String body = "{\"metadata\":{\"tags\":\"a,b\"},\"messages\":[{\"role\":\"user\",\"tags\":[1],"
        + "\"content\":\"\\\"tags\\\":[]\"}],\"model\":\"m\"}";
    Buffer original = Buffer.buffer(body);
    assertThat(TagFields.remove(original, (ObjectNode) JSON.readTree(body))).isSameAs(original);
  }

  @Test
  void aBodyThatIsASliceIsCutAtItsOwnOffsets() throws Exception {
    String body = "{\"model\":\"m\",\"tags\":[\"a\"]}";
    Buffer slice = Buffer.buffer("before" + body + "after").slice(6, 6 + body.length());
    assertThat(TagFields.remove(slice, (ObjectNode) JSON.readTree(body)).toString()).isEqualTo("{\"model\":\"m\"}");
  }
}
