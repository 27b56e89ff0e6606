package dev.affinity.router.routing;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ModelFieldTest {

  @Test
  void replacesOnlyTheTopLevelModelAndKeepsEveryOtherByte() {
    String body = "{ \"max_tokens\" :1024,\n  \"metadata\": {\"model\": \"inner\"},\"model\"  :  \"claude-x\" ,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"model\"}], \"n\": 1.50e0 }";
    String replaced = ModelField.replace(Buffer.buffer(body), "claude-sonnet-4-5-20250929").toString();
    assertThat(replaced).isEqualTo(body.replace("\"claude-x\"", "\"claude-sonnet-4-5-20250929\""));
  }

  @Test
  void escapesTheNewModelAndHandlesEscapedOldOnes() {
    String body = "{\"model\":\"a\\\"b\\u00e9\",\"messages\":[]}";
    assertThat(ModelField.replace(Buffer.buffer(body), "x\"y").toString())
        .isEqualTo("{\"model\":\"x\\\"y\",\"messages\":[]}");
  }

  @Test
  void multiByteCharactersBeforeTheFieldKeepOffsetsRight() {
    String body = "{\"system\":\"héllo wörld ✓\",\"model\":\"old\",\"z\":\"✓\"}";
    assertThat(ModelField.replace(Buffer.buffer(body), "new").toString())
        .isEqualTo("{\"system\":\"héllo wörld ✓\",\"model\":\"new\",\"z\":\"✓\"}");
  }

  @Test
  void aBodyThatIsASliceOfALargerBufferIsReadAndSplicedAtItsOwnOffsets() {
    String body = "{\"model\":\"old\",\"messages\":[]}";
    Buffer slice = Buffer.buffer("garbage before" + body + "and after").slice(14, 14 + body.length());
    Buffer replaced = ModelField.replace(slice, "new");
    assertThat(replaced.toString()).isEqualTo("{\"model\":\"new\",\"messages\":[]}");
    // the client's bytes are shared, not copied: the rewrite stays right when read twice
    assertThat(replaced.toString()).isEqualTo(replaced.copy().toString());
    assertThat(slice.toString()).isEqualTo(body);
  }

  @Test
  void bodyWithoutModelIsReturnedAsIs() {
    Buffer body = Buffer.buffer("{\"messages\":[{\"model\":\"nested\"}]}");
    assertThat(ModelField.replace(body, "new")).isSameAs(body);
  }
}
