package dev.affinity.router.ingress;

import dev.affinity.model.GatewayErrorException;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** {@link IngressPipeline#parse}: the body read once; what it refuses, it refuses as a 400 naming where and why. */
class BodyParseTest {

  @Test
  void aDuplicateKeyAtAnyDepthIsRefusedInTheClientsTerms() {
    for (String body : new String[] {
        "{\"model\":\"a\",\"model\":\"b\"}",
        "{\"model\":\"a\",\"messages\":[{\"role\":\"user\",\"content\":\"x\",\"role\":\"assistant\"}]}",
        "{\"tools\":[{\"input_schema\":{\"properties\":{\"p\":{},\"p\":{}}}}]}"}) {
      GatewayErrorException refused = catchThrowableOfType(GatewayErrorException.class,
          () -> IngressPipeline.parse(Buffer.buffer(body)));
      assertThat(refused).as(body).isNotNull();
      assertThat(refused.error().status()).isEqualTo(400);
      assertThat(refused.error().message()).as(body).startsWith("malformed JSON at line 1, column ")
          .contains("Duplicate field '")
          // the parser's own setting is no business of the client's
          .doesNotContain("ObjectNode").doesNotContain("DeserializationFeature");
    }
  }

  @Test
  void theSameNameInSiblingObjectsIsNoDuplicate() {
    assertThat(IngressPipeline.parse(Buffer.buffer(
        "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"},{\"role\":\"assistant\",\"content\":\"y\"}]}"))
        .path("messages").get(1).path("role").asText()).isEqualTo("assistant");
  }

  @Test
  void brokenJsonNamesWhere() {
    GatewayErrorException refused = catchThrowableOfType(GatewayErrorException.class,
        () -> IngressPipeline.parse(Buffer.buffer("{\"model\":\n  \"a\",}")));
    assertThat(refused.error().status()).isEqualTo(400);
    assertThat(refused.error().message()).startsWith("malformed JSON at line 2, column ");
  }
}
